import { Option } from 'clipanion';
import { BUILD_DATE, GIT_COMMIT, GIT_TAG, PRODUCT, VERSION } from '../../../internal/version';
import { BaseCommand } from './base-command';

export class VersionCommand extends BaseCommand {
  static override paths = [['version']];
  static override usage = BaseCommand.Usage({
    description: 'print the version and git commit of this binary',
    examples: [['Print the version', '$0 version'], ['Print every build detail', '$0 version -a']],
  });

  detailed = Option.Boolean('-a,--detailed', false, { description: 'print product, version, git tag, git commit and build date' });

  async run(): Promise<number> {
    if (this.detailed) {
      this.context.stdout.write(`Product: ${PRODUCT}\nVersion: ${VERSION}\nGit Tag: ${GIT_TAG}\nGit Commit: ${GIT_COMMIT}\nBuild Date: ${BUILD_DATE}\n`);
    } else {
      this.context.stdout.write(`${PRODUCT} ${VERSION} (git commit ${GIT_COMMIT})\n`);
    }
    return 0;
  }
}
