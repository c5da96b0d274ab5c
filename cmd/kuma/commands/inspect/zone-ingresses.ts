import { InspectCommand } from './inspect-command';

/** `kuma inspect zone-ingresses`: connection state of every ZoneIngress. */
export class InspectZoneIngressesCommand extends InspectCommand {
  static override paths = [
    ['inspect', 'zone-ingresses'],
    ['inspect', 'zoneingresses'],
  ];
  static override usage = InspectCommand.Usage({
    category: 'Inspect',
    description: 'show the zone ingresses and the state of their xDS connection',
    examples: [['Inspect zone ingresses', '$0 inspect zone-ingresses']],
  });

  async run(): Promise<number> {
    const { zoneProxyOverviewsTable } = await import('../../../../internal/cli/inspect-tables');
    const { zoneProxyOverview } = await import('../../../../internal/cli/zone-proxies');
    const { path, insightField } = await zoneProxyOverview('ZoneIngress');
    return this.printList(path, {}, (items, now) => zoneProxyOverviewsTable(items, insightField, now));
  }
}
