/**
 * The kumactl config file, `~/.kumactl/config`, in Kuma's shape (spec
 * kuma-api-cli.md §3.1; pkg/config/app/kumactl/v1alpha1/config.proto): YAML
 * with jsonpb names, written with sorted keys and empty fields omitted, as
 * Kuma's util_proto.ToYAML does. On first use the default config (control
 * plane `local` at http://localhost:5681) is written; `--no-config` keeps it
 * in memory. Writes go to a temp file that is renamed over the config, so a
 * crash never leaves half a file.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError } from '../errors';

export interface ApiServerCoordinates {
  url: string;
  caCertFile?: string;
  clientCertFile?: string;
  clientKeyFile?: string;
  skipVerify?: boolean;
  headers?: { key: string; value: string }[];
  authType?: string;
  authConf?: Record<string, string>;
}

export interface ControlPlane {
  name: string;
  coordinates: { apiServer: ApiServerCoordinates };
}

export interface KumactlContext {
  name: string;
  controlPlane: string;
  defaults?: { mesh?: string };
}

export interface KumactlConfig {
  controlPlanes: ControlPlane[];
  contexts: KumactlContext[];
  currentContext: string;
}

export const DEFAULT_API_SERVER_URL = 'http://localhost:5681';

export function defaultConfig(): KumactlConfig {
  return {
    controlPlanes: [{ name: 'local', coordinates: { apiServer: { url: DEFAULT_API_SERVER_URL } } }],
    contexts: [{ name: 'local', controlPlane: 'local' }],
    currentContext: 'local',
  };
}

/** `$HOME/.kumactl/config`; HOME is read at call time so tests can point it at a temp dir. */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.HOME || homedir(), '.kumactl', 'config');
}

function camel(k: string): string {
  return k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** jsonpb accepts proto (snake_case) names too; `authConf` is a free map and keeps its keys. */
function camelize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelize);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    const key = camel(k);
    out[key] = key === 'authConf' ? val : camelize(val);
  }
  return out;
}

function asString(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/** Parses the config text; a missing section is empty, as with proto defaults. */
export async function parseConfig(text: string, source = 'config'): Promise<KumactlConfig> {
  const { parse } = await import('yaml');
  let raw: unknown;
  try {
    raw = camelize(parse(text) ?? {});
  } catch (e) {
    throw new ConfigError(`Failed to parse configuration from file "${source}": ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`Failed to parse configuration from file "${source}": the top level must be a map`);
  }
  const obj = raw as Record<string, unknown>;
  const cps = Array.isArray(obj.controlPlanes) ? obj.controlPlanes : [];
  const ctxs = Array.isArray(obj.contexts) ? obj.contexts : [];
  return {
    controlPlanes: cps.map((cp: Record<string, unknown>) => {
      const api = ((cp?.coordinates as Record<string, unknown>)?.apiServer ?? {}) as Record<string, unknown>;
      const out: ApiServerCoordinates = { url: asString(api.url) };
      for (const f of ['caCertFile', 'clientCertFile', 'clientKeyFile', 'authType'] as const) {
        if (api[f]) out[f] = asString(api[f]);
      }
      if (api.skipVerify === true) out.skipVerify = true;
      if (Array.isArray(api.headers)) out.headers = api.headers.map((h: Record<string, unknown>) => ({ key: asString(h?.key), value: asString(h?.value) }));
      if (api.authConf && typeof api.authConf === 'object') {
        out.authConf = Object.fromEntries(Object.entries(api.authConf).map(([k, v]) => [k, asString(v)]));
      }
      return { name: asString(cp?.name), coordinates: { apiServer: out } };
    }),
    contexts: ctxs.map((c: Record<string, unknown>) => {
      const out: KumactlContext = { name: asString(c?.name), controlPlane: asString(c?.controlPlane) };
      const mesh = (c?.defaults as Record<string, unknown> | undefined)?.mesh;
      if (mesh) out.defaults = { mesh: asString(mesh) };
      return out;
    }),
    currentContext: asString(obj.currentContext),
  };
}

/** Drops what jsonpb omits: empty strings, false, empty lists and maps. */
function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(prune) : undefined;
  if (v === null || typeof v !== 'object') return v === '' || v === false ? undefined : v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v as Record<string, unknown>).sort()) {
    const p = prune((v as Record<string, unknown>)[k]);
    if (p !== undefined) out[k] = p;
  }
  return Object.keys(out).length ? out : undefined;
}

export async function serializeConfig(cfg: KumactlConfig): Promise<string> {
  const { renderYaml } = await import('./printers/yaml');
  return renderYaml(prune(cfg) ?? {});
}

/** Writes the config atomically: temp file in the same directory, then rename. */
export async function saveConfig(path: string, cfg: KumactlConfig): Promise<void> {
  const text = await serializeConfig(cfg);
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, path);
  } catch (e) {
    throw new ConfigError(`Failed to write configuration into file "${path}": ${(e as Error).message}`);
  }
}

export interface LoadedConfig {
  config: KumactlConfig;
  /** Where changes are saved; undefined with --no-config. */
  path?: string;
}

/**
 * Reads the config named by `--config-file` or the default path, writing the
 * default config there first when the file does not exist yet.
 */
export async function loadConfig(opts: { configFile?: string; noConfig?: boolean } = {}): Promise<LoadedConfig> {
  if (opts.noConfig) return { config: defaultConfig() };
  const path = opts.configFile || defaultConfigPath();
  if (!existsSync(path)) {
    const config = defaultConfig();
    await saveConfig(path, config);
    return { config, path };
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`Failed to read configuration from file "${path}": ${(e as Error).message}`);
  }
  return { config: await parseConfig(text, path), path };
}

/** Persists a changed config; with --no-config there is nowhere to write and the change is only in memory. */
export async function persistConfig(loaded: LoadedConfig): Promise<void> {
  if (loaded.path) await saveConfig(loaded.path, loaded.config);
}

export function currentControlPlane(cfg: KumactlConfig): ControlPlane {
  const ctx = cfg.contexts.find((c) => c.name === cfg.currentContext);
  if (!ctx) {
    throw new ConfigError('there is no active Control Plane. Use `kumactl config control-planes add` to add a Control Plane and make it active');
  }
  const cp = cfg.controlPlanes.find((p) => p.name === ctx.controlPlane);
  if (!cp) throw new ConfigError(`the active context "${ctx.name}" refers to Control Plane "${ctx.controlPlane}", which does not exist`);
  return cp;
}

/** Adds or (with overwrite) replaces a control plane; false when the name is taken. */
export function addControlPlane(cfg: KumactlConfig, cp: ControlPlane, overwrite: boolean): boolean {
  const i = cfg.controlPlanes.findIndex((p) => p.name === cp.name);
  if (i >= 0) {
    if (!overwrite) return false;
    cfg.controlPlanes[i] = cp;
  } else {
    cfg.controlPlanes.push(cp);
  }
  return true;
}

export function addContext(cfg: KumactlConfig, ctx: KumactlContext, overwrite: boolean): boolean {
  const i = cfg.contexts.findIndex((c) => c.name === ctx.name);
  if (i >= 0) {
    if (!overwrite) return false;
    cfg.contexts[i] = ctx;
  } else {
    cfg.contexts.push(ctx);
  }
  return true;
}

/** Removing the current context makes the first remaining one current (Kuma's RemoveContext). */
function removeContext(cfg: KumactlConfig, name: string): void {
  cfg.contexts = cfg.contexts.filter((c) => c.name !== name);
  if (cfg.currentContext === name) cfg.currentContext = cfg.contexts[0]?.name ?? '';
}

/** Removes a control plane and every context that points at it; false when unknown. */
export function removeControlPlane(cfg: KumactlConfig, name: string): boolean {
  if (!cfg.controlPlanes.some((p) => p.name === name)) return false;
  for (const c of cfg.contexts.filter((x) => x.controlPlane === name)) removeContext(cfg, c.name);
  cfg.controlPlanes = cfg.controlPlanes.filter((p) => p.name !== name);
  return true;
}

export function switchContext(cfg: KumactlConfig, name: string): boolean {
  if (!cfg.contexts.some((c) => c.name === name)) return false;
  cfg.currentContext = name;
  return true;
}

/** The control plane the current context points at, if any. */
export function currentContextOf(cfg: KumactlConfig): KumactlContext | undefined {
  return cfg.contexts.find((c) => c.name === cfg.currentContext);
}
