import { Option } from 'clipanion';
import { BadRequestError } from '../../../../internal/errors';
import { KumactlCommand } from '../kumactl-command';

const SCOPES = ['cp', 'ingress', 'egress'];
const DEFAULT_SCOPES = ['ingress', 'egress'];

/** `kuma generate zone-token` (Kuma app/kumactl/cmd/generate/generate_zone_token.go), plus our `cp` scope. */
export class GenerateZoneTokenCommand extends KumactlCommand {
  static override paths = [['generate', 'zone-token']];
  static override usage = KumactlCommand.Usage({
    category: 'Generate',
    description: 'generate a token that proves the identity of a zone component',
    details: `
      Scopes: \`ingress\` and \`egress\` authenticate zone proxies to their zone control plane (the default is both); \`cp\` authenticates the zone control plane itself to the global over KDS.
      The control plane signs the token (\`POST /tokens/zone\`, admin only; zone tokens are issued on the global) unless \`--signing-key-path\` and \`--kid\` are given.
    `,
    examples: [
      ['A token for the zone proxies of zone-1', '$0 generate zone-token --zone zone-1 --valid-for 720h'],
      ['A token for the control plane of zone-1', '$0 generate zone-token --zone zone-1 --scope cp --valid-for 8760h'],
      ['Only egress', '$0 generate zone-token --zone zone-1 --scope egress --valid-for 24h'],
    ],
  });

  zone = Option.String('--zone', { required: true, description: 'name of the zone' });
  scope = Option.Array('--scope', { description: `what the token may authenticate: ${SCOPES.join(', ')} (repeatable or comma separated; default ${DEFAULT_SCOPES.join(', ')})` });
  validFor = Option.String('--valid-for', { required: true, description: 'how long the token is valid, e.g. 24h' });
  signingKeyPath = Option.String('--signing-key-path', { description: 'sign with this private key instead of asking the control plane' });
  kid = Option.String('--kid', { description: 'ID of the key in --signing-key-path (required with it)' });

  async run(): Promise<number> {
    const scope = this.scope?.length ? [...new Set(this.scope.flatMap((s) => s.split(',')).filter(Boolean))] : DEFAULT_SCOPES;
    const bad = scope.filter((s) => !SCOPES.includes(s));
    if (bad.length) throw new BadRequestError(`invalid --scope values: [${bad.join(' ')}] (supported scopes: [${SCOPES.join(' ')}])`);
    const flags = await import('../../../../internal/cli/token-flags');
    const validForMs = flags.parseValidFor(this.validFor);
    const offline = flags.offlineSigningKey(this.signingKeyPath, this.kid);
    if (offline) {
      const { signToken, zoneClaims } = await import('../../../../internal/auth/tokens');
      this.out(await signToken(offline.key, offline.kid, zoneClaims({ zone: this.zone, scope }), validForMs));
      return 0;
    }
    await this.warnOnVersionMismatch();
    this.out(await flags.requestToken(await this.client(), '/tokens/zone', { zone: this.zone, scope, validFor: this.validFor }, 'zone'));
    return 0;
  }
}
