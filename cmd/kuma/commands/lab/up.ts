import { Option } from 'clipanion';
import * as t from 'typanion';
import { BaseCommand } from '../base-command';

const isWhole = (min: number, max: number) => t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(min, max)]);

export class LabUpCommand extends BaseCommand {
  static override paths = [['lab', 'up']];
  static override usage = BaseCommand.Usage({
    category: 'Lab',
    description: 'start a multi-zone lab on this machine: a global CP, zone CPs, zone ingresses and demo services on Envoy',
    details: `
      Starts, as background processes of this binary (each in its own process group, logs in <dir>/logs/):
      a global control plane (LevelDB in <dir>/global), --zones zone control planes federated to it over
      grpcs with zone tokens, mTLS on mesh default with a MeshTrafficPermission allowing all, a zone ingress
      per zone (and a zone egress with --egress), and demo services with sidecars: "web" in every zone and
      "backend" in the last, web's sidecar having an outbound to backend, so web in zone-1 reaches backend
      across zones. First prints the plan (what starts in which step), then a line per process as it gets
      ready, then a table of what runs where (pid, ports, URL), the global's API and GUI URLs and a request
      to try. Envoy is looked up as kuma dp run does (--binary-path, KUMA_DATAPLANE_RUNTIME_BINARY_PATH, PATH),
      then .venv/bin/envoy (make lab installs it there); without one, nothing starts and it says how to get it.

      Every port comes from --base-port (20 per zone, from base+20), and everything status and down need is
      in <dir>/lab.json. Run again on a running lab, it says so; on a lab whose processes died, it cleans up
      first. The lab directory is --dir, else $KUMA_LAB_DIR, else .kuma-lab in the current folder.
    `,
    examples: [
      ['Two zones on ports 27000-27059', '$0 lab up'],
      ['Three zones with zone egress, elsewhere', '$0 lab up --zones 3 --egress --dir /tmp/lab --base-port 31000'],
      ['With an Envoy of your own', '$0 lab up --binary-path /usr/local/bin/envoy'],
      ['Without the sample request at the end, longer start timeouts', '$0 lab up --traffic-timeout 0 --timeout 120s'],
      ['See what runs, then stop it all', '$0 lab status && $0 lab down'],
    ],
  });

  zones = Option.String('--zones', '2', { description: 'number of zone control planes (1-20)', validator: isWhole(1, 20) });
  egress = Option.Boolean('--egress', false, { description: 'also run a zone egress in every zone and route cross-zone traffic through it' });
  dir = Option.String('--dir', { description: 'lab directory (default $KUMA_LAB_DIR or ./.kuma-lab)' });
  basePort = Option.String('--base-port', '27000', { description: 'first port of the lab; it uses base .. base+20*(zones+1)-1', validator: isWhole(1024, 65535) });
  binaryPath = Option.String('--binary-path', { description: 'Envoy binary (default: KUMA_DATAPLANE_RUNTIME_BINARY_PATH, envoy on PATH, or .venv/bin/envoy)' });
  timeout = Option.String('--timeout', '60s', { description: 'how long each process may take to be ready' });
  trafficTimeout = Option.String('--traffic-timeout', '15s', { description: 'how long to try the sample request at the end (0 skips it)' });

  async run(): Promise<number> {
    const { resolveLabDir } = await import('../../../../internal/lab/state');
    const { labUp } = await import('../../../../internal/lab/up');
    const { checkOptions } = await import('../../../../internal/lab/plan');
    const { findEnvoy } = await import('../../../../internal/lab/envoy');
    const { durationMs } = await import('../../../../internal/resources/validation');
    const { BadRequestError, ConfigError } = await import('../../../../internal/errors');
    const readyTimeoutMs = durationMs(this.timeout);
    if (readyTimeoutMs === undefined || readyTimeoutMs <= 0) throw new BadRequestError(`invalid --timeout "${this.timeout}": use a duration such as 60s`);
    const trafficTimeoutMs = durationMs(this.trafficTimeout);
    if (trafficTimeoutMs === undefined || trafficTimeoutMs < 0) throw new BadRequestError(`invalid --traffic-timeout "${this.trafficTimeout}": use a duration such as 30s, or 0`);
    const bad = checkOptions({ zones: this.zones, basePort: this.basePort });
    if (bad) throw new BadRequestError(bad);
    const dir = resolveLabDir(this.dir);
    let envoyBinary: string;
    try {
      envoyBinary = await findEnvoy(this.binaryPath);
    } catch (e) {
      throw new ConfigError(`kuma lab up runs its zone proxies and sidecars on Envoy, and nothing was started: ${(e as Error).message}`);
    }
    const has = (verb: string) => this.cli.definitions().some((d) => d.path.endsWith(` ${verb} run`));
    return labUp(
      { dir, zones: this.zones, egress: this.egress, basePort: this.basePort, envoyBinary, hasIngressRun: has('ingress'), hasEgressRun: has('egress'), readyTimeoutMs, trafficTimeoutMs, dirHint: this.dir ? ` --dir ${dir}` : '' },
      { out: (text) => this.context.stdout.write(text), err: (text) => this.context.stderr.write(text) },
    );
  }
}
