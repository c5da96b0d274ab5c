import { InspectCommand } from './inspect-command';

/** `kuma inspect zoneegresses`: connection state of every ZoneEgress. */
export class InspectZoneEgressesCommand extends InspectCommand {
  static override paths = [
    ['inspect', 'zoneegresses'],
    ['inspect', 'zone-egresses'],
  ];
  static override usage = InspectCommand.Usage({
    category: 'Inspect',
    description: 'show the zone egresses and the state of their xDS connection',
    examples: [['Inspect zone egresses', '$0 inspect zoneegresses']],
  });

  async run(): Promise<number> {
    const { zoneProxyOverviewsTable } = await import('../../../../internal/cli/inspect-tables');
    const { zoneProxyOverview } = await import('../../../../internal/cli/zone-proxies');
    const { path, insightField } = await zoneProxyOverview('ZoneEgress');
    return this.printList(path, {}, (items, now) => zoneProxyOverviewsTable(items, insightField, now));
  }
}
