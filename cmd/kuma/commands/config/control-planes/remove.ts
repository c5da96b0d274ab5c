import { Option } from 'clipanion';
import { ConfigError } from '../../../../../internal/errors';
import { KumactlCommand } from '../../kumactl-command';

/** `kuma config control-planes remove --name N`: forget a control plane and its contexts. */
export class ControlPlanesRemoveCommand extends KumactlCommand {
  static override paths = [['config', 'control-planes', 'remove']];
  static override usage = KumactlCommand.Usage({
    category: 'Config',
    description: 'remove a control plane from the kumactl config',
    details: 'When the active control plane is removed, the first remaining one becomes active.',
    examples: [['Remove the control plane named staging', '$0 config control-planes remove --name staging']],
  });

  name = Option.String('--name', { required: true, description: 'reference name of the Control Plane' });

  async run(): Promise<number> {
    const { currentContextOf, persistConfig, removeControlPlane } = await import('../../../../../internal/cli/kumactl-config');
    const loaded = await this.loadConfig();
    if (!removeControlPlane(loaded.config, this.name)) throw new ConfigError(`there is no Control Plane with name ${JSON.stringify(this.name)}`);
    await persistConfig(loaded);
    this.out(`removed Control Plane ${JSON.stringify(this.name)}\n`);
    const ctx = currentContextOf(loaded.config);
    if (ctx) {
      this.out(`switched active Control Plane to ${JSON.stringify(ctx.controlPlane)}\n`);
    } else {
      this.out('there is no active Control Plane left. Use `kumactl config control-planes add` to add a Control Plane and make it active\n');
    }
    return 0;
  }
}
