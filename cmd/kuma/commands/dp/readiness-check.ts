import { Option } from 'clipanion';
import * as t from 'typanion';
import { BaseCommand } from '../base-command';

/**
 * `kuma dp readiness-check`: exit 0 when kuma-dp's readiness reporter answers
 * READY. The reporter listens on 127.0.0.1 only, which a kubelet HTTP probe
 * cannot reach, so the zone proxy manifests probe with this command instead.
 */
export class DataplaneReadinessCheckCommand extends BaseCommand {
  static override paths = [['dp', 'readiness-check']];
  static override usage = BaseCommand.Usage({
    category: 'Data plane',
    description: "exit 0 if the local kuma-dp's Envoy is ready (GET 127.0.0.1:<readiness-port>/ready), 1 otherwise",
    examples: [['A Kubernetes exec probe', '$0 dp readiness-check --readiness-port 9902']],
  });

  readinessPort = Option.String('--readiness-port', '9902', { description: 'port of the readiness reporter (kuma dp run --readiness-port)', validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 65535)]) });
  timeout = Option.String('--timeout-ms', '2000', { description: 'how long to wait for the answer', validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(1)]) });

  async run(): Promise<number> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.readinessPort}/ready`, { signal: AbortSignal.timeout(this.timeout) });
      const body = (await res.text()).trim();
      if (res.status === 200) return 0;
      this.context.stderr.write(`not ready: ${res.status} ${body}\n`);
    } catch (e) {
      this.context.stderr.write(`not ready: ${(e as Error).message}\n`);
    }
    return 1;
  }
}
