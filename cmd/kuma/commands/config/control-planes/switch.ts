import { Option } from 'clipanion';
import { ConfigError } from '../../../../../internal/errors';
import { KumactlCommand } from '../../kumactl-command';

/** `kuma config control-planes switch --name N`: make another control plane active. */
export class ControlPlanesSwitchCommand extends KumactlCommand {
  static override paths = [['config', 'control-planes', 'switch']];
  static override usage = KumactlCommand.Usage({
    category: 'Config',
    description: 'switch the active control plane',
    examples: [['Use the control plane named prod', '$0 config control-planes switch --name prod']],
  });

  name = Option.String('--name', { required: true, description: 'reference name of the Control Plane' });

  async run(): Promise<number> {
    const { persistConfig, switchContext } = await import('../../../../../internal/cli/kumactl-config');
    const loaded = await this.loadConfig();
    if (!switchContext(loaded.config, this.name)) throw new ConfigError(`there is no Control Plane with name ${JSON.stringify(this.name)}`);
    await persistConfig(loaded);
    this.out(`switched active Control Plane to ${JSON.stringify(this.name)}\n`);
    return 0;
  }
}
