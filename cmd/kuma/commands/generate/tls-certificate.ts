import { writeFileSync } from 'node:fs';
import { Option } from 'clipanion';
import * as t from 'typanion';
import { BadRequestError } from '../../../../internal/errors';
import { KumactlCommand } from '../kumactl-command';

const KEY_TYPES = ['ecdsa', 'rsa'] as const;

/** `kuma generate tls-certificate` (Kuma app/kumactl/cmd/generate/generate_certificate.go). */
export class GenerateTlsCertificateCommand extends KumactlCommand {
  static override paths = [['generate', 'tls-certificate']];
  static override usage = KumactlCommand.Usage({
    category: 'Generate',
    description: 'generate a self-signed TLS certificate and key',
    details: `
      The certificate is its own CA, valid for 10 years, with the hostnames (and IPs) as SANs. \`-\` as a file name writes to stdout.
    `,
    examples: [
      ['A server certificate for the control plane', '$0 generate tls-certificate --type server --hostname cp.example.com,10.0.0.5'],
      ['A client certificate, printed', '$0 generate tls-certificate --type client --hostname dataplane-1 --key-file - --cert-file -'],
    ],
  });

  type = Option.String('--type', { required: true, description: 'type of the certificate: server or client' });
  hostnames = Option.Array('--hostname', { description: 'DNS name(s) or IPs to issue the certificate for (repeatable or comma separated)' });
  keyFile = Option.String('--key-file', 'key.pem', { description: "file for the private key ('-' for stdout)" });
  certFile = Option.String('--cert-file', 'cert.pem', { description: "file for the certificate ('-' for stdout)" });
  keyType = Option.String('--key-type', 'ecdsa', { description: 'key algorithm: ecdsa (P-256) or rsa (2048 bits)', validator: t.isEnum(KEY_TYPES) });

  async run(): Promise<number> {
    if (this.type !== 'server' && this.type !== 'client') throw new BadRequestError(`invalid certificate type "${this.type}"`);
    const hostnames = (this.hostnames ?? []).flatMap((h) => h.split(',')).filter(Boolean);
    if (hostnames.length === 0) throw new BadRequestError('at least one hostname must be given');
    const { generateServerCert } = await import('../../../../internal/tls/self-signed');
    const pair = await generateServerCert({ hostnames, type: this.type, key: this.keyType === 'rsa' ? { type: 'rsa', bits: 2048 } : { type: 'ecdsa' } });
    const write = (file: string, text: string, mode: number, what: string) => {
      if (file === '-') return this.out(text);
      try {
        writeFileSync(file, text, { mode });
      } catch (e) {
        throw new BadRequestError(`could not write the ${what} file: ${(e as Error).message}`);
      }
    };
    write(this.keyFile, pair.keyPem, 0o600, 'key');
    write(this.certFile, pair.certPem, 0o644, 'cert');
    if (this.keyFile !== '-' && this.certFile !== '-') this.out(`Private key saved in ${this.keyFile}\nCertificate saved in ${this.certFile}\n`);
    return 0;
  }
}
