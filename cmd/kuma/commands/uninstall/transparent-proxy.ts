import { Option } from 'clipanion';
import { BaseCommand } from '../base-command';

/** `kuma uninstall transparent-proxy`: removes what `kuma install transparent-proxy` wrote, nothing else. */
export class UninstallTransparentProxyCommand extends BaseCommand {
  static override paths = [['uninstall', 'transparent-proxy']];
  static override usage = BaseCommand.Usage({
    category: 'Install',
    description: 'remove the transparent proxy iptables rules of kuma install transparent-proxy',
    details: `
      Deletes the KUMA_MESH_* chains and the rules that jump to them or carry a kuma/mesh/transparent/proxy/ comment,
      for IPv4 and, when the host has it, IPv6, in one iptables-restore --noflush transaction per family. Other
      rules are left as they are. Run as root.
    `,
    examples: [['Remove the rules', '$0 uninstall transparent-proxy']],
  });

  dryRun = Option.Boolean('--dry-run', false, { description: 'print the iptables-restore input and change nothing' });
  verbose = Option.Boolean('--verbose', false, { description: 'print the iptables-restore input applied' });

  async run(): Promise<number> {
    const tp = await import('../../../../internal/transparent-proxy/install');
    const out = (s: string) => this.context.stdout.write(s);
    const err = (s: string) => this.context.stderr.write(s);
    return tp.uninstall({ dryRun: this.dryRun, verbose: this.verbose, out, err });
  }
}
