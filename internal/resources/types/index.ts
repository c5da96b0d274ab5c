/**
 * Every resource type, listed explicitly (no registration by import side
 * effect). The order is the order `/_resources` and `kuma get --help` show.
 */
import { Registry } from '../registry';
import { mesh } from './mesh';

export function registerAll(registry: Registry = new Registry()): Registry {
  for (const d of [mesh]) registry.register(d);
  return registry;
}

/** The process-wide registry; tests may build their own with registerAll(). */
export const registry = registerAll();
