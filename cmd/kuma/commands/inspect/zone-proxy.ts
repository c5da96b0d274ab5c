import { Option } from 'clipanion';
import * as t from 'typanion';
import { BadRequestError } from '../../../../internal/errors';
import { InspectCommand } from './inspect-command';

export const ZONE_PROXY_INSPECTION_TYPES = ['config-dump', 'stats', 'clusters', 'config'] as const;

const API_PATHS = { 'config-dump': 'xds', stats: 'stats', clusters: 'clusters', config: '_config' } as const;

/**
 * `kuma inspect zoneingress NAME` / `kuma inspect zoneegress NAME`: the Envoy
 * state of one zone proxy (Kuma app/kumactl/cmd/inspect/inspect_zoneingress.go).
 * On a global the request is forwarded to the zone that runs the proxy.
 */
abstract class InspectZoneProxyCommand extends InspectCommand {
  protected abstract readonly collection: 'zoneingresses' | 'zoneegresses';

  name = Option.String({ name: 'NAME' });
  type = Option.String('--type', 'config-dump', {
    description: `inspection type: one of ${ZONE_PROXY_INSPECTION_TYPES.join('|')}`,
    validator: t.isEnum(ZONE_PROXY_INSPECTION_TYPES),
  });
  includeEds = Option.Boolean('--include-eds', false, { description: 'include EDS when dumping the Envoy config (--type config-dump only)' });

  async run(): Promise<number> {
    if (this.includeEds && this.type !== 'config-dump') throw new BadRequestError("flag '--include-eds' can be used only when '--type=config-dump'");
    await this.warnOnVersionMismatch();
    const client = await this.client();
    const path = `/${this.collection}/${encodeURIComponent(this.name)}/${API_PATHS[this.type]}`;
    if (this.type === 'config') {
      const body = await client.getJson(path);
      const { renderJson } = await import('../../../../internal/cli/printers/json');
      if (this.output === 'yaml') {
        const { renderYaml } = await import('../../../../internal/cli/printers/yaml');
        this.out(await renderYaml(body));
      } else this.out(renderJson(body));
      return 0;
    }
    this.out(await client.getText(path, this.includeEds ? { include_eds: 'true' } : {}));
    return 0;
  }
}

export class InspectZoneIngressCommand extends InspectZoneProxyCommand {
  protected readonly collection = 'zoneingresses';
  static override paths = [['inspect', 'zoneingress'], ['inspect', 'zone-ingress']];
  static override usage = InspectCommand.Usage({
    category: 'Inspect',
    description: 'show the Envoy config dump, stats, clusters or generated xDS of one zone ingress',
    details: `
      The control plane fetches the zone ingress's Envoy admin (/config_dump, /stats, /clusters); --type config prints the xDS the zone control plane generated for it. Against the global control plane the request is forwarded to the zone that runs the zone ingress.
    `,
    examples: [
      ["Dump zone ingress zi-1's Envoy config", '$0 inspect zoneingress zi-1'],
      ["Show zone ingress zi-1's Envoy stats", '$0 inspect zoneingress zi-1 --type stats'],
    ],
  });
}

export class InspectZoneEgressCommand extends InspectZoneProxyCommand {
  protected readonly collection = 'zoneegresses';
  static override paths = [['inspect', 'zoneegress'], ['inspect', 'zone-egress']];
  static override usage = InspectCommand.Usage({
    category: 'Inspect',
    description: 'show the Envoy config dump, stats, clusters or generated xDS of one zone egress',
    details: `
      The control plane fetches the zone egress's Envoy admin (/config_dump, /stats, /clusters); --type config prints the xDS the zone control plane generated for it. Against the global control plane the request is forwarded to the zone that runs the zone egress.
    `,
    examples: [
      ["Dump zone egress ze-1's Envoy config", '$0 inspect zoneegress ze-1'],
      ["Show zone egress ze-1's Envoy clusters", '$0 inspect zoneegress ze-1 --type clusters'],
    ],
  });
}
