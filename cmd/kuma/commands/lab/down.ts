import { Option } from 'clipanion';
import { BaseCommand } from '../base-command';

export class LabDownCommand extends BaseCommand {
  static override paths = [['lab', 'down']];
  static override usage = BaseCommand.Usage({
    category: 'Lab',
    description: 'stop every process of the lab started by "kuma lab up"',
    details: `
      Sends SIGTERM to each process group of the lab (proxies drain and stop their Envoy), then SIGKILL to
      whatever is left after --timeout. Removes <dir>/lab.json and keeps the logs and the state of the
      control planes. With no lab running it does nothing and exits 0.
    `,
    examples: [
      ['Stop the lab in ./.kuma-lab', '$0 lab down'],
      ['Stop a lab elsewhere, waiting up to 30s for each process', '$0 lab down --dir /tmp/lab --timeout 30s'],
    ],
  });

  dir = Option.String('--dir', { description: 'lab directory (default $KUMA_LAB_DIR or ./.kuma-lab)' });
  timeout = Option.String('--timeout', '10s', { description: 'how long to wait after SIGTERM before SIGKILL' });

  async run(): Promise<number> {
    const { readState, removeState, resolveLabDir } = await import('../../../../internal/lab/state');
    const { labTargets } = await import('../../../../internal/lab/down');
    const { stopAll } = await import('../../../../internal/lab/spawn');
    const { seconds } = await import('../../../../internal/lab/wait');
    const { durationMs } = await import('../../../../internal/resources/validation');
    const { BadRequestError } = await import('../../../../internal/errors');
    const timeoutMs = durationMs(this.timeout);
    if (timeoutMs === undefined || timeoutMs < 0) throw new BadRequestError(`invalid --timeout "${this.timeout}": use a duration such as 10s`);
    const dir = resolveLabDir(this.dir);
    const s = readState(dir);
    if (!s) {
      this.context.stdout.write(`No lab running in ${dir}.\n`);
      return 0;
    }
    const targets = labTargets(s);
    if (targets.length === 0) {
      removeState(dir);
      this.context.stdout.write(`No lab process was running in ${dir}; removed its lab.json (logs kept in ${dir}/logs).\n`);
      return 0;
    }
    const t0 = Date.now();
    this.context.stdout.write(`Stopping ${targets.length} processes of the lab in ${dir} ... `);
    const left = await stopAll(targets, timeoutMs, (pids) => this.context.stdout.write(`(SIGKILL to ${pids.join(', ')} after ${this.timeout}) `));
    if (left.length) {
      this.context.stdout.write(`failed\n`);
      this.context.stderr.write(`Error: processes ${left.join(', ')} are still running; lab.json is kept so "kuma lab down" can try again\n`);
      return 1;
    }
    removeState(dir);
    this.context.stdout.write(`done (${seconds(Date.now() - t0)}). Logs kept in ${dir}/logs.\n`);
    return 0;
  }
}
