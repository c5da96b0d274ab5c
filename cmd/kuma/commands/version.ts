import { Option } from 'clipanion';
import { BUILD_DATE, GIT_COMMIT, GIT_TAG, PRODUCT, VERSION } from '../../../internal/version';
import { errorLine } from './base-command';
import { KumactlCommand } from './kumactl-command';

/** `kuma version`: this binary's version and the control plane's, as kumactl prints them. */
export class VersionCommand extends KumactlCommand {
  static override paths = [['version']];
  static override usage = KumactlCommand.Usage({
    description: 'print the version of this binary and of the control plane it talks to',
    details: `
      Prints \`Client: <product> <version>\` for this binary and \`Server: <product> <version>\` from the API index (\`GET /\`) of the current control plane (or --context). When the control plane cannot be reached the second line says why; the exit code stays 0.
    `,
    examples: [
      ['Print both versions', '$0 version'],
      ['Print every build detail of the binary and the server index', '$0 version -a'],
      ['Ask the control plane of context "global"', '$0 version --context global'],
    ],
  });

  detailed = Option.Boolean('-a,--detailed', false, { description: 'print product, version, git tag, git commit and build date, and the server index as JSON' });

  async run(): Promise<number> {
    const out = this.context.stdout;
    if (this.detailed) out.write(`Client:\n  Product: ${PRODUCT}\n  Version: ${VERSION}\n  Git Tag: ${GIT_TAG}\n  Git Commit: ${GIT_COMMIT}\n  Build Date: ${BUILD_DATE}\n`);
    else out.write(`Client: ${PRODUCT} ${VERSION}\n`);
    let index: Record<string, unknown>;
    try {
      index = await (await this.client()).getJson<Record<string, unknown>>('/');
    } catch (e) {
      out.write(`Unable to connect to control plane: ${errorLine(e)}\n`);
      return 0;
    }
    if (this.detailed) out.write(`Server:\n${JSON.stringify(index, null, 2).replace(/^/gm, '  ')}\n`);
    else out.write(`Server: ${String(index.product ?? index.tagline ?? '')} ${String(index.version ?? '')}\n`);
    return 0;
  }
}
