import { Option } from 'clipanion';
import * as t from 'typanion';
import { BaseCommand } from '../base-command';

export class ControlPlaneRunCommand extends BaseCommand {
  static override paths = [['control-plane', 'run'], ['cp', 'run']];
  static override usage = BaseCommand.Usage({
    category: 'Control plane',
    description: 'run a global or zone control plane',
    details: `
      Configuration: defaults < YAML --config-file < KUMA_* environment < flags.
      A zone with no --kds-global-address is standalone (non-federated) and fully writable.
    `,
    examples: [
      ['A standalone zone on the default ports', '$0 control-plane run'],
      ['A global control plane', '$0 control-plane run --mode=global'],
      ['A federated zone', '$0 control-plane run --mode=zone --zone zone-1 --kds-global-address grpcs://global:5685'],
    ],
  });

  configFile = Option.String('-c,--config-file', { description: 'YAML configuration file (Kuma kuma-cp.yaml keys)' });
  mode = Option.String('--mode', { description: 'global | zone (standalone means zone)', validator: t.isEnum(['global', 'zone', 'standalone']) });
  zone = Option.String('--zone', { description: 'zone name (KUMA_MULTIZONE_ZONE_NAME)' });
  kdsGlobalAddress = Option.String('--kds-global-address', { description: 'grpcs://HOST:5685 of the global CP (KUMA_MULTIZONE_ZONE_GLOBAL_ADDRESS)' });
  kdsAuth = Option.String('--kds-auth', { description: 'global: how zones authenticate on KDS: tokens (default, zone tokens) | none (what Kuma 2.14 zones need) (KUMA_MULTIZONE_GLOBAL_KDS_AUTH_TYPE)', validator: t.isEnum(['tokens', 'zone-token', 'zoneToken', 'none']) });
  kdsAuthTokenFile = Option.String('--kds-auth-token-file', { description: 'zone: file with the zone token from `kuma generate zone-token --scope cp` (KUMA_MULTIZONE_ZONE_KDS_AUTH_TOKEN_FILE)' });
  logLevel = Option.String('--log-level', { description: 'off | info | debug (KUMA_LOG_LEVEL)', validator: t.isEnum(['off', 'info', 'debug', 'warn', 'error']) });

  async run(): Promise<number> {
    const { loadConfig } = await import('../../../../internal/config/cp-config');
    const { setupLogging, logger } = await import('../../../../internal/log/logger');
    const cfg = loadConfig({ configFile: this.configFile, flags: { mode: this.mode, zone: this.zone, kdsGlobalAddress: this.kdsGlobalAddress, kdsAuth: this.kdsAuth === 'zone-token' || this.kdsAuth === 'zoneToken' ? 'tokens' : this.kdsAuth, kdsAuthTokenFile: this.kdsAuthTokenFile, logLevel: this.logLevel } });
    setupLogging(cfg.log.level);
    // Store open and key generation run on the thread pool while the control plane's modules load.
    const { beginStart } = await import('../../../../internal/cp/early-start');
    const early = beginStart(cfg);
    const { startControlPlane } = await import('../../../../internal/cp/control-plane');
    const cp = await startControlPlane(cfg, early);
    const log = logger('cp');
    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'stopping control plane');
        cp.stop().then(
          () => resolve(0),
          (e) => {
            log.error({ err: e }, 'failed to stop cleanly');
            resolve(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
  }
}
