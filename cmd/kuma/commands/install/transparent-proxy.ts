import { Option } from 'clipanion';
import { BaseCommand } from '../base-command';

/** `kuma install transparent-proxy`: Kuma's iptables rules on a Universal host (kumactl install transparent-proxy). */
export class InstallTransparentProxyCommand extends BaseCommand {
  static override paths = [['install', 'transparent-proxy']];
  static override usage = BaseCommand.Usage({
    category: 'Install',
    description: "redirect this host's (or network namespace's) traffic to the data plane proxy with iptables",
    details: `
      Run as root where kuma dp run will run. Inbound TCP goes through chains KUMA_MESH_INBOUND and
      KUMA_MESH_INBOUND_REDIRECT to Envoy's --redirect-inbound-port, outbound TCP through KUMA_MESH_OUTBOUND and
      KUMA_MESH_OUTBOUND_REDIRECT to --redirect-outbound-port: the Dataplane's networking.transparentProxying
      redirectPortInbound and redirectPortOutbound must say the same. Traffic of the kuma-dp user (--kuma-dp-user,
      default the user kuma-dp, else UID 5678) is never redirected, so Envoy's own connections are not looped back:
      run kuma dp as that user (runuser -u kuma-dp -- kuma dp run ...). Loopback traffic of other users is not
      redirected either. --redirect-dns sends DNS queries (UDP and TCP port 53) to the nameservers of
      /etc/resolv.conf to kuma dp's resolver on --redirect-dns-port; --redirect-all-dns-traffic sends every query.
      With either, the raw table splits conntrack zones (CT --zone 1 and 2) so that the application's queries
      and the resolver's own queries to the same nameserver never share an entry, as Kuma does.

      The rules are written with iptables-restore --noflush in one transaction per IP family (ip6tables for IPv6
      with --ip-family-mode dualstack, when the host has IPv6), checked first with --test: a refused rule changes
      nothing. Installing again replaces the rules of the previous install; kuma uninstall transparent-proxy removes
      them. --dry-run prints the iptables-restore input and changes nothing.
    `,
    examples: [
      ['Redirect everything but SSH, with DNS', '$0 install transparent-proxy --kuma-dp-user kuma-dp --redirect-dns --exclude-inbound-ports 22'],
      ['Show the rules without applying them', '$0 install transparent-proxy --kuma-dp-uid 5678 --dry-run'],
    ],
  });

  kumaDpUser = Option.String('--kuma-dp-user', { description: 'the user (name or UID) that runs kuma dp and Envoy; its traffic is not redirected (default kuma-dp, else UID 5678)' });
  kumaDpUid = Option.String('--kuma-dp-uid', { description: 'the UID that runs kuma dp and Envoy (instead of --kuma-dp-user)' });
  ipFamilyMode = Option.String('--ip-family-mode', { description: 'dualstack (default: iptables and, when the host has IPv6, ip6tables) | ipv4' });
  redirectInbound = Option.String('--redirect-inbound', { tolerateBoolean: true, description: 'redirect inbound traffic to Envoy (default true; false for gateway proxies)' });
  redirectInboundPort = Option.String('--redirect-inbound-port', { description: "inbound port redirected to Envoy, the Dataplane's networking.transparentProxying.redirectPortInbound (default 15006)" });
  redirectOutboundPort = Option.String('--redirect-outbound-port', { description: "outbound port redirected to Envoy, the Dataplane's networking.transparentProxying.redirectPortOutbound (default 15001)" });
  excludeInboundPorts = Option.Array('--exclude-inbound-ports', { description: 'inbound ports (or ranges 8000-8010) not redirected to Envoy; comma separated, repeatable' });
  excludeOutboundPorts = Option.Array('--exclude-outbound-ports', { description: 'outbound ports (or ranges) not redirected to Envoy; comma separated, repeatable' });
  excludeInboundIps = Option.Array('--exclude-inbound-ips', { description: 'source IPs or CIDRs whose inbound traffic is not redirected; comma separated, repeatable' });
  excludeOutboundIps = Option.Array('--exclude-outbound-ips', { description: 'destination IPs or CIDRs not redirected to Envoy; comma separated, repeatable' });
  redirectDns = Option.Boolean('--redirect-dns', false, { description: 'redirect DNS queries to the nameservers of /etc/resolv.conf to --redirect-dns-port' });
  redirectAllDnsTraffic = Option.Boolean('--redirect-all-dns-traffic', false, { description: 'redirect every DNS query (UDP and TCP port 53) to --redirect-dns-port' });
  redirectDnsPort = Option.String('--redirect-dns-port', { description: "the port of kuma dp's DNS resolver (default 15053)" });
  skipDnsConntrackZoneSplit = Option.Boolean('--skip-dns-conntrack-zone-split', false, { description: 'with DNS redirection, do not split conntrack zones in the raw table (application <-> resolver in zone 2, resolver <-> nameservers in zone 1)' });
  dryRun = Option.Boolean('--dry-run', false, { description: 'print the iptables-restore input and change nothing' });
  verbose = Option.Boolean('--verbose', false, { description: 'long option names in the rules, and print the rules applied' });

  async run(): Promise<number> {
    const tp = await import('../../../../internal/transparent-proxy/install');
    const out = (s: string) => this.context.stdout.write(s);
    const err = (s: string) => this.context.stderr.write(s);
    return tp.install(this.flags(), { dryRun: this.dryRun, verbose: this.verbose, out, err });
  }

  private flags() {
    return {
      kumaDpUser: this.kumaDpUser,
      kumaDpUid: this.kumaDpUid,
      ipFamilyMode: this.ipFamilyMode,
      redirectInbound: this.redirectInbound,
      redirectInboundPort: this.redirectInboundPort,
      redirectOutboundPort: this.redirectOutboundPort,
      excludeInboundPorts: this.excludeInboundPorts,
      excludeOutboundPorts: this.excludeOutboundPorts,
      excludeInboundIps: this.excludeInboundIps,
      excludeOutboundIps: this.excludeOutboundIps,
      redirectDns: this.redirectDns,
      redirectAllDnsTraffic: this.redirectAllDnsTraffic,
      redirectDnsPort: this.redirectDnsPort,
      skipDnsConntrackZoneSplit: this.skipDnsConntrackZoneSplit,
    };
  }
}
