import { InspectCommand } from './inspect-command';

/** `kuma inspect zones`: connection state of every zone control plane (global CP). */
export class InspectZonesCommand extends InspectCommand {
  static override paths = [['inspect', 'zones']];
  static override usage = InspectCommand.Usage({
    category: 'Inspect',
    description: 'show the zones and the state of their KDS connection',
    details: 'A zone is Online when its control plane is connected and the Zone is not disabled.',
    examples: [['Inspect zones', '$0 inspect zones']],
  });

  async run(): Promise<number> {
    const { zoneOverviewsTable } = await import('../../../../internal/cli/inspect-tables');
    return this.printList('/zones/_overview', {}, zoneOverviewsTable);
  }
}
