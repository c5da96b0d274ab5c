/**
 * Kuma's MakeFieldMustBeOneOfErr text (pkg/core/validators/messages.go), as the 2.x policies
 * print it: `"mode" must be one of ["Strict", "Permissive"]`. Kept apart from validation.ts's
 * checkEnum, whose `must be one of: a, b` is the legacy types' wording.
 */
export function mustBeOneOf(name: string, allowed: readonly string[]): string {
  return `"${name}" must be one of [${allowed.map((a) => `"${a}"`).join(', ')}]`;
}

/** True when `v` is one of `allowed`; unset values are the caller's concern. */
export function isOneOf(v: unknown, allowed: readonly string[]): boolean {
  return typeof v === 'string' && allowed.includes(v);
}
