/**
 * The shared base of every kumactl command: the global options of Kuma's
 * kumactl (`--config-file`, `--no-config`, `--api-timeout`; spec §3.2), the
 * config and API client they lead to, and the server version warning. Heavy
 * modules (undici, yaml) are reached only through dynamic imports in here and
 * in internal/cli, so loading a command class stays cheap.
 */
import { Option } from 'clipanion';
import * as t from 'typanion';
import type { ApiClient } from '../../../internal/cli/api-client';
import type { LoadedConfig } from '../../../internal/cli/kumactl-config';
import type { currentControlPlane } from '../../../internal/cli/kumactl-config';
import { ConfigError, NotFoundError } from '../../../internal/errors';
import { durationMs } from '../../../internal/resources/validation';
import { PRODUCT, VERSION } from '../../../internal/version';
import { BaseCommand } from './base-command';

export const OUTPUT_FORMATS = ['table', 'yaml', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `-o/--output table|yaml|json`, default table (a persistent flag of get and inspect in Kuma). */
export function outputOption() {
  return Option.String('-o,--output', 'table', {
    description: 'output format: one of table|yaml|json',
    validator: t.isEnum(OUTPUT_FORMATS),
  });
}

/** `-m/--mesh`, default "default"; not global in Kuma, each command declares it. */
export function meshOption() {
  return Option.String('-m,--mesh', 'default', { description: 'mesh to use' });
}

export const LOG_LEVELS = ['off', 'info', 'debug'] as const;

export abstract class KumactlCommand extends BaseCommand {
  configFile = Option.String('--config-file', { description: 'path to the configuration file to use (default $HOME/.kumactl/config)' });
  noConfig = Option.Boolean('--no-config', false, { description: 'use the default configuration in memory and create no config file' });
  contextName = Option.String('--context', {
    description: 'the control plane to talk to for this command, by its name in the kumactl config (default: the current context)',
  });
  logLevel = Option.String('--log-level', 'off', { description: 'kumactl log level: one of off|info|debug; info and debug print each API request to stderr', validator: t.isEnum(LOG_LEVELS) });
  apiTimeout = Option.String('--api-timeout', '1m', {
    description: 'timeout of each API call, including connecting and reading the answer (Go duration, e.g. 30s, 1m); 0 means no timeout',
  });

  #loaded: LoadedConfig | undefined;
  #client: ApiClient | undefined;

  override async execute(): Promise<number> {
    try {
      return await super.execute();
    } finally {
      await this.#client?.close();
    }
  }

  protected async loadConfig(): Promise<LoadedConfig> {
    if (!this.#loaded) {
      const { loadConfig } = await import('../../../internal/cli/kumactl-config');
      this.#loaded = await loadConfig({ configFile: this.configFile, noConfig: this.noConfig });
    }
    return this.#loaded;
  }

  protected timeoutMs(): number {
    const ms = durationMs(this.apiTimeout);
    if (ms === undefined || ms < 0) throw new ConfigError(`invalid --api-timeout "${this.apiTimeout}": use a duration such as 30s or 1m`);
    // 0 means "no timeout"; a day is as good as forever for one CLI call and keeps AbortSignal happy.
    return ms === 0 ? 86_400_000 : ms;
  }

  /** The client of the current context's control plane. */
  protected async client(): Promise<ApiClient> {
    if (!this.#client) {
      const { config } = await this.loadConfig();
      const { currentControlPlane } = await import('../../../internal/cli/kumactl-config');
      const { ApiClient } = await import('../../../internal/cli/api-client');
      this.#client = new ApiClient(this.selectedControlPlane(config, currentControlPlane).coordinates.apiServer, this.timeoutMs());
      if (this.logLevel !== 'off') this.#client.onRequest = (line) => this.context.stderr.write(`${line}\n`);
    }
    return this.#client;
  }

  /** `--context NAME`: a context or control plane of that name; else the current context's. */
  private selectedControlPlane(config: LoadedConfig['config'], current: (c: LoadedConfig['config']) => ReturnType<typeof currentControlPlane>) {
    if (!this.contextName) return current(config);
    const ctx = config.contexts.find((c) => c.name === this.contextName);
    const cp = config.controlPlanes.find((p) => p.name === (ctx?.controlPlane ?? this.contextName));
    if (!cp) {
      const names = [...new Set([...config.contexts.map((c) => c.name), ...config.controlPlanes.map((p) => p.name)])].sort();
      throw new ConfigError(`there is no context or control plane named "${this.contextName}" in the kumactl config${names.length ? ` (known: ${names.join(', ')})` : ''}; add it with kumactl config control-planes add --name ${this.contextName} --address URL`);
    }
    return cp;
  }

  /** Kumactl's answer to `-m` naming a mesh that does not exist: an error, not an empty list. */
  protected async requireMesh(mesh: string): Promise<void> {
    const client = await this.client();
    const res = await client.send('GET', `/meshes/${encodeURIComponent(mesh)}`);
    if (res.status === 404) throw new NotFoundError(`mesh "${mesh}" not found`);
  }

  /**
   * Kuma's CheckServerVersionCompatibility: a warning on stderr when the
   * server is another product or version. Failures are left to the real call.
   */
  protected async warnOnVersionMismatch(): Promise<void> {
    const client = await this.client();
    let index: { product?: string; tagline?: string; version?: string };
    try {
      index = await client.getJson('/');
    } catch {
      return;
    }
    const product = index.product || index.tagline || '';
    const version = index.version ?? '';
    if (VERSION.includes('preview') || version.includes('preview')) return;
    if (product !== PRODUCT || version !== VERSION) {
      this.context.stderr.write(`WARNING: You are using kumactl version ${VERSION} for ${PRODUCT}, but the server returned version: ${product} ${version}\n`);
    }
  }

  protected out(text: string): void {
    this.context.stdout.write(text);
  }
}
