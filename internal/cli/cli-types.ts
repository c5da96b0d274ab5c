/**
 * kumactl names of resource types, all taken from the registry: a type is
 * reachable from the CLI when its descriptor has cliSingular/cliPlural.
 */
import { BadRequestError } from '../errors';
import type { Registry, ResourceDescriptor } from '../resources/registry';

/** Types kumactl can name, in registry order. */
export function cliTypes(registry: Registry): ResourceDescriptor[] {
  return registry.all().filter((d) => d.cliSingular || d.cliPlural);
}

/** Sorted singular names, as Kuma's `delete` lists them. */
export function singularNames(registry: Registry): string[] {
  return cliTypes(registry)
    .map((d) => d.cliSingular ?? d.cliPlural!)
    .sort();
}

/** Sorted plural names, for `get` lists. */
export function pluralNames(registry: Registry): string[] {
  return cliTypes(registry)
    .map((d) => d.cliPlural ?? d.cliSingular!)
    .sort();
}

/** The descriptor behind a kumactl name (singular, plural or alias), or Kuma's "unknown TYPE" error. */
export function resolveCliType(registry: Registry, arg: string, allowed: string[]): ResourceDescriptor {
  const d = registry.byCliName(arg);
  if (!d) throw new BadRequestError(`unknown TYPE: ${arg}. Allowed values: ${allowed.join(', ')}`);
  return d;
}
