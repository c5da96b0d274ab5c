import { Option } from 'clipanion';
import * as t from 'typanion';
import { BadRequestError } from '../../../../internal/errors';
import { meshOption } from '../kumactl-command';
import { InspectCommand } from './inspect-command';

export const INSPECTION_TYPES = ['policies', 'rules', 'config-dump', 'stats', 'clusters', 'config'] as const;

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
      --type policies (the default) lists the policies that apply to the proxy by where they attach, as kumactl 2.14 prints them: DATAPLANE, each INBOUND address:port:servicePort(service), OUTBOUND address:port(service) and SERVICE name, with the policy types and names attached there (in merge order: the last one wins).
      --type rules prints the targetRef rules of the proxy per policy type: the merged conf for each group of destinations (to), of clients per inbound (from) and per inbound (rules), with the policies merged into it.
      --type config prints the xDS the control plane generated for the proxy (zone control plane only; the proxy must be connected to it).
      --type config-dump, stats and clusters print the proxy's Envoy admin /config_dump, /stats and /clusters, fetched by the control plane.
      Against the global control plane, config, config-dump, stats and clusters are forwarded over KDS to the zone that runs the proxy.
    `,
    examples: [
      ['List the policies that apply to web-01', '$0 inspect dataplane web-01'],
      ['Show the merged targetRef rules of web-01', '$0 inspect dataplane web-01 --type rules'],
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
    await this.warnOnVersionMismatch();
    const client = await this.client();
    if (this.type === 'policies' || this.type === 'rules') {
      const body = await client.getJson(this.type === 'policies' ? `${base}/policies` : `${base}/_rules`);
      if (this.output !== 'table') {
        const { renderOutput } = await import('../../../../internal/cli/output');
        this.out(await renderOutput(this.output, body, () => ({ headers: [], rows: [] })));
        return 0;
      }
      const text = await import('../../../../internal/cli/policy-inspect-text');
      if (this.type === 'policies') this.out(text.dataplanePoliciesText(body));
      else {
        const { stringify } = await import('yaml');
        const { YAML_OUTPUT_OPTIONS } = await import('../../../../internal/cli/printers/yaml');
        this.out(text.dataplaneRulesText(body, (v) => stringify(v, YAML_OUTPUT_OPTIONS)));
      }
      return 0;
    }
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
