/**
 * Rules for the parts of a request path that name something. They run in the
 * router, before any handler can touch the store, because a name such as
 * `..` or `%2e%2e` that reached a handler used to be read as the parent path:
 * `DELETE /meshes/victim/traffic-routes/..` deleted the Mesh `victim`.
 */
import type { Violation } from '../errors';
import { validateMeshName, validateName } from '../resources/meta-validator';

/** kuma.io/service values (Kuma's tag value characters). */
const SERVICE_CHARS = /^[a-zA-Z0-9.\-_:]+$/;

const DOT_SEGMENT = "cannot be \".\" or \"..\" (a path segment that names a resource must be its name, not a relative path)";

function validateServiceName(v: string, field: string): Violation[] {
  if (v === '') return [{ field, message: 'cannot be empty' }];
  if (v === '.' || v === '..') return [{ field, message: DOT_SEGMENT }];
  if (!SERVICE_CHARS.test(v)) return [{ field, message: "invalid characters. Valid characters are letters, numbers and '.', '-', '_', ':'" }];
  return [];
}

/** A KRI's characters: name characters plus the `_` separator (the handler parses its parts). */
const KRI_CHARS = /^[a-z0-9._-]+$/;

function validateKriSegment(v: string, field: string): Violation[] {
  if (v === '') return [{ field, message: 'cannot be empty' }];
  if (v === '.' || v === '..') return [{ field, message: DOT_SEGMENT }];
  if (!KRI_CHARS.test(v)) return [{ field, message: "invalid characters. A KRI holds lower case letters, numbers, '-', '.' and the '_' separators" }];
  return [];
}

/**
 * The validator for a route parameter, by its name in the route pattern.
 * Every parameter a route declares must have one: `router.add` refuses
 * patterns with unknown parameter names, so a new route cannot skip the check.
 */
export const PATH_PARAM_RULES: Record<string, (value: string, field: string) => Violation[]> = {
  kri: validateKriSegment,
  mesh: (v, f) => validateMeshName(v, f),
  name: (v, f) => validateName(v, f),
  service: validateServiceName,
};

export { DOT_SEGMENT };
