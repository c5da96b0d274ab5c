import { Option } from 'clipanion';
import * as t from 'typanion';
import { KumactlCommand, meshOption } from '../kumactl-command';

const PROXY_TYPES = ['dataplane', 'ingress', 'egress'] as const;

/** `kuma generate dataplane-token` (Kuma app/kumactl/cmd/generate/generate_dataplane_token.go). */
export class GenerateDataplaneTokenCommand extends KumactlCommand {
  static override paths = [['generate', 'dataplane-token']];
  static override usage = KumactlCommand.Usage({
    category: 'Generate',
    description: 'generate a token that proves the identity of a data plane proxy',
    details: `
      The control plane signs the token (\`POST /tokens/dataplane\`, admin only) unless \`--signing-key-path\` and \`--kid\` are given, in which case it is signed here with that key.
      Every claim is optional: a token bound to a name admits only that proxy, one bound to tags only proxies whose tags all have allowed values, one bound to a mesh any proxy of it.
    `,
    examples: [
      ['A token bound to mesh and name', '$0 generate dataplane-token -m demo --name demo-01 --valid-for 24h'],
      ['A token for every proxy of service web or web-api', '$0 generate dataplane-token -m demo --tag kuma.io/service=web,web-api --valid-for 720h'],
      ['Sign offline', '$0 generate dataplane-token -m demo --valid-for 24h --signing-key-path key.pem --kid 2'],
    ],
  });

  name = Option.String('--name', { description: 'name of the Dataplane' });
  mesh = meshOption();
  proxyType = Option.String('--proxy-type', { description: 'type of the proxy: dataplane, ingress or egress', validator: t.isEnum(PROXY_TYPES) });
  tags = Option.Array('--tag', { description: 'required tag values, key=v1,v2 (repeatable)' });
  workload = Option.String('--workload', { description: 'the kuma.io/workload label the Dataplane must carry' });
  validFor = Option.String('--valid-for', { required: true, description: 'how long the token is valid, e.g. 24h' });
  signingKeyPath = Option.String('--signing-key-path', { description: 'sign with this private key instead of asking the control plane' });
  kid = Option.String('--kid', { description: 'ID of the key in --signing-key-path (required with it)' });

  async run(): Promise<number> {
    const flags = await import('../../../../internal/cli/token-flags');
    const validForMs = flags.parseValidFor(this.validFor);
    const tags = flags.parseTagFlags(this.tags);
    const offline = flags.offlineSigningKey(this.signingKeyPath, this.kid);
    const identity = { name: this.name, mesh: this.mesh, tags, type: this.proxyType, workload: this.workload };
    if (offline) {
      const { dataplaneClaims, signToken } = await import('../../../../internal/auth/tokens');
      this.out(await signToken(offline.key, offline.kid, dataplaneClaims(identity), validForMs));
      return 0;
    }
    await this.warnOnVersionMismatch();
    this.out(await flags.requestToken(await this.client(), '/tokens/dataplane', { ...identity, validFor: this.validFor }, 'dataplane'));
    return 0;
  }
}
