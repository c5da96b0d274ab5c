import { Option } from 'clipanion';
import * as t from 'typanion';
import { KumactlCommand } from '../kumactl-command';

const FORMATS = ['pem-base64', 'pem'] as const;

/** `kuma generate signing-key` (Kuma app/kumactl/cmd/generate/generate_signing_key.go). */
export class GenerateSigningKeyCommand extends KumactlCommand {
  static override paths = [['generate', 'signing-key']];
  static override usage = KumactlCommand.Usage({
    category: 'Generate',
    description: 'generate a private key for signing tokens',
    details: `
      A 2048-bit RSA key in PKCS#1 PEM. The default format, \`pem-base64\`, is what a (Global)Secret's \`data\` holds, so rotating a key is one apply; \`pem\` is for \`--signing-key-path\`.
    `,
    examples: [
      ['Rotate the dataplane token signing key of mesh default', 'echo "type: Secret\nmesh: default\nname: dataplane-token-signing-key-default-2\ndata: {{ key }}" | $0 apply --var key=$($0 generate signing-key) -f -'],
      ['A key for offline signing', '$0 generate signing-key --format pem > key.pem'],
    ],
  });

  format = Option.String('--format', 'pem-base64', { description: 'output format: pem-base64 or pem', validator: t.isEnum(FORMATS) });

  async run(): Promise<number> {
    const { newSigningKeyPem } = await import('../../../../internal/auth/signing-key');
    const pem = await newSigningKeyPem();
    // Kuma prints the base64 form without a newline so $(...) and --var take it as is.
    this.out(this.format === 'pem' ? pem : Buffer.from(pem).toString('base64'));
    return 0;
  }
}
