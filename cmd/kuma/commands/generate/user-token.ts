import { Option } from 'clipanion';
import { BadRequestError } from '../../../../internal/errors';
import { KumactlCommand } from '../kumactl-command';

/** `kuma generate user-token` (Kuma pkg/plugins/authn/api-server/tokens/cli/generate_user_token.go). */
export class GenerateUserTokenCommand extends KumactlCommand {
  static override paths = [['generate', 'user-token']];
  static override usage = KumactlCommand.Usage({
    category: 'Generate',
    description: 'generate a user token that authenticates a person or a program to the API',
    details: `
      The control plane signs the token (\`POST /tokens/user\`, admin only) unless \`--signing-key-path\` and \`--kid\` are given.
      Every user the token authenticates is also in group \`mesh-system:authenticated\`; group \`mesh-system:admin\` may do everything.
      Send it with \`kuma config control-planes add --auth-type=tokens --auth-conf token=...\`.
    `,
    examples: [
      ['A token for john in group team-a, valid a day', '$0 generate user-token --name john.doe@example.com --group team-a --valid-for 24h'],
      ['An admin token', '$0 generate user-token --name ops --group mesh-system:admin --valid-for 8h'],
    ],
  });

  name = Option.String('--name', { required: true, description: 'name of the user' });
  groups = Option.Array('--group', { description: 'group of the user (repeatable)' });
  validFor = Option.String('--valid-for', { required: true, description: 'how long the token is valid, e.g. 24h' });
  signingKeyPath = Option.String('--signing-key-path', { description: 'sign with this private key instead of asking the control plane' });
  kid = Option.String('--kid', { description: 'ID of the key in --signing-key-path (required with it)' });

  async run(): Promise<number> {
    if (this.name.trim() === '') throw new BadRequestError('--name cannot be empty');
    const groups = [...new Set((this.groups ?? []).flatMap((g) => g.split(',')).map((g) => g.trim()).filter(Boolean))];
    const flags = await import('../../../../internal/cli/token-flags');
    const validForMs = flags.parseValidFor(this.validFor);
    const offline = flags.offlineSigningKey(this.signingKeyPath, this.kid);
    if (offline) {
      const { signToken, userClaims } = await import('../../../../internal/auth/tokens');
      this.out(await signToken(offline.key, offline.kid, userClaims({ name: this.name, groups }), validForMs));
      return 0;
    }
    await this.warnOnVersionMismatch();
    this.out(await flags.requestToken(await this.client(), '/tokens/user', { name: this.name, groups, validFor: this.validFor }, 'user'));
    return 0;
  }
}
