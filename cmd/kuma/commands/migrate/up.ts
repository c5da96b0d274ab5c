import { Option } from 'clipanion';
import { BaseCommand } from '../base-command';

export class MigrateUpCommand extends BaseCommand {
  static override paths = [['migrate', 'up']];
  static override usage = BaseCommand.Usage({
    category: 'Control plane',
    description: 'create or upgrade the PostgreSQL schema of the store',
    details: `
      Reads the store settings as \`kuma control-plane run\` does (defaults < --config-file < KUMA_STORE_POSTGRES_*).
      Idempotent; a control plane also migrates on start unless KUMA_STORE_POSTGRES_AUTO_MIGRATE=false.
    `,
    examples: [['Migrate the database named by the environment', 'KUMA_STORE_TYPE=postgres KUMA_STORE_POSTGRES_HOST=db $0 migrate up']],
  });

  configFile = Option.String('-c,--config-file', { description: 'YAML configuration file (Kuma kuma-cp.yaml keys)' });

  async run(): Promise<number> {
    const { loadConfig } = await import('../../../../internal/config/cp-config');
    const cfg = loadConfig({ configFile: this.configFile });
    if (cfg.store.type !== 'postgres') {
      throw new Error(`migrate up is for the postgres store, but store.type is "${cfg.store.type}"; set KUMA_STORE_TYPE=postgres`);
    }
    const pg = (await import('pg')).default;
    const { clientConfig, describePgError } = await import('../../../../internal/store/postgres/connection');
    const { migrateUp } = await import('../../../../internal/store/postgres/schema');
    const c = new pg.Client(clientConfig(cfg.store.postgres));
    try {
      await c.connect();
    } catch (e) {
      throw new Error(`cannot connect to ${describePgError(cfg.store.postgres, e)}`);
    }
    try {
      const r = await migrateUp(c);
      this.context.stdout.write(
        r.applied.length === 0 ? `schema is up to date (version ${r.to})\n` : `schema migrated from version ${r.from} to ${r.to}: ${r.applied.map((m) => `${m.version} ${m.name}`).join(', ')}\n`,
      );
      return 0;
    } finally {
      await c.end().catch(() => undefined);
    }
  }
}
