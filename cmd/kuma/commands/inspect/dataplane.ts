import { Option } from 'clipanion';
import * as t from 'typanion';
import { BadRequestError } from '../../../../internal/errors';
import { meshOption } from '../kumactl-command';
import { InspectCommand } from './inspect-command';

export const INSPECTION_TYPES = ['policies', 'config-dump', 'stats', 'clusters', 'config'] as const;

/** The API path under `/meshes/{m}/dataplanes/{name}/` that serves each Envoy admin view. */
const ADMIN_PATHS = { 'config-dump': 'xds', stats: 'stats', clusters: 'clusters' } as const;

/**
 * `kuma inspect dataplane NAME`: what shapes one proxy (Kuma app/kumactl/cmd/inspect/inspect_dataplane.go).
 * The Envoy admin views are printed as the proxy's Envoy wrote them.
 */
export class InspectDataplaneCommand extends InspectCommand {
  static override paths = [['inspect', 'dataplane']];
  static override usage = InspectCommand.Usage({
    category: 'Inspect',
    description: 'show the policies, xDS config or Envoy state of one dataplane',
    details: `
      --type policies (the default) lists every policy that applies to the proxy: for targetRef policies the section (to, from, rules), the policy's targetRef and the item's target; for legacy policies what they attach to (inbound, outbound, service).
      --type config prints the xDS the zone control plane generated for the proxy (the proxy must be connected to it).
      --type config-dump, stats and clusters print the proxy's Envoy admin /config_dump, /stats and /clusters, fetched by the zone control plane.
      Against the global control plane, config, config-dump, stats and clusters are forwarded over KDS to the zone that runs the proxy.
    `,
    examples: [
      ['List the policies that apply to web-01', '$0 inspect dataplane web-01'],
      ['Show the xDS config the control plane sends to web-01 of mesh demo', '$0 inspect dataplane web-01 -m demo --type config'],
      ["Dump web-01's Envoy config with endpoints", '$0 inspect dataplane web-01 --type config-dump --include-eds'],
      ["Show web-01's Envoy stats", '$0 inspect dataplane web-01 --type stats'],
    ],
  });

  name = Option.String({ name: 'NAME' });
  mesh = meshOption();
  type = Option.String('--type', 'policies', {
    description: `inspection type: one of ${INSPECTION_TYPES.join('|')}`,
    validator: t.isEnum(INSPECTION_TYPES),
  });
  includeEds = Option.Boolean('--include-eds', false, { description: 'include EDS when dumping envoy config for dataplane' });

  async run(): Promise<number> {
    if (this.includeEds && this.type !== 'config-dump') throw new BadRequestError("flag '--include-eds' can be used only when '--type=config-dump'");
    const base = `/meshes/${encodeURIComponent(this.mesh)}/dataplanes/${encodeURIComponent(this.name)}`;
    if (this.type === 'policies') {
      const { dataplanePoliciesTable } = await import('../../../../internal/cli/inspect-tables');
      return this.printList(`${base}/policies`, {}, (items) => dataplanePoliciesTable(items), this.mesh);
    }
    await this.warnOnVersionMismatch();
    const client = await this.client();
    if (this.type === 'config') {
      const body = await client.getJson(`${base}/_config`);
      // Why endpoints are missing (e.g. cross-zone without mTLS) goes to stderr, so stdout stays parseable.
      for (const note of ((body as { notes?: string[] }).notes ?? [])) this.context.stderr.write(`NOTE: ${note}\n`);
      if (this.output === 'yaml') {
        const { renderYaml } = await import('../../../../internal/cli/printers/yaml');
        this.out(await renderYaml(body));
      } else {
        const { renderJson } = await import('../../../../internal/cli/printers/json');
        this.out(renderJson(body));
      }
      return 0;
    }
    const query = this.includeEds ? { include_eds: 'true' } : {};
    this.out(await client.getText(`${base}/${ADMIN_PATHS[this.type]}`, query));
    return 0;
  }
}
