import { KumactlCommand } from '../kumactl-command';

/** `kuma config view`: print the kumactl config (Kuma app/kumactl/cmd/config/config_view.go). */
export class ConfigViewCommand extends KumactlCommand {
  static override paths = [['config', 'view']];
  static override usage = KumactlCommand.Usage({
    category: 'Config',
    description: 'show the kumactl config',
    examples: [['Show the config', '$0 config view'], ['Show another config file', '$0 config view --config-file ./kumactl.yaml']],
  });

  async run(): Promise<number> {
    const { serializeConfig } = await import('../../../../internal/cli/kumactl-config');
    const { config } = await this.loadConfig();
    // Kuma prints the YAML with Println, hence the blank line at the end.
    this.out(`${await serializeConfig(config)}\n`);
    return 0;
  }
}
