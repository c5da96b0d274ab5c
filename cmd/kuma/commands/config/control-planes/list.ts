import { KumactlCommand } from '../../kumactl-command';

/** `kuma config control-planes list`: the control planes of the kumactl config, `*` marking the active one. */
export class ControlPlanesListCommand extends KumactlCommand {
  static override paths = [['config', 'control-planes', 'list']];
  static override usage = KumactlCommand.Usage({
    category: 'Config',
    description: 'list the control planes of the kumactl config',
    examples: [['List control planes', '$0 config control-planes list']],
  });

  async run(): Promise<number> {
    const { currentContextOf } = await import('../../../../../internal/cli/kumactl-config');
    const { renderTable } = await import('../../../../../internal/cli/printers/table');
    const { config } = await this.loadConfig();
    const active = currentContextOf(config)?.controlPlane;
    const rows = config.controlPlanes.map((cp) => [cp.name === active ? '*' : '', cp.name, cp.coordinates.apiServer.url]);
    this.out(renderTable({ headers: ['ACTIVE', 'NAME', 'ADDRESS'], rows }));
    return 0;
  }
}
