/**
 * When a token (a JWT) expires, read without verifying it: for warnings
 * only ("your zone token expires in 3 days"), never for access decisions.
 */

/** Warn when less than this much of a token's life is left. */
export const NEAR_EXPIRY_MS = 7 * 24 * 3600_000;

/** The `exp` of a JWT in ms, or undefined when it has none or is not a JWT. */
export function tokenExpiryMs(token: string): number | undefined {
  const payload = token.replace(/^Bearer\s+/i, '').split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** A warning when the token expires within NEAR_EXPIRY_MS of `now` (or has expired), else undefined. */
export function nearExpiryWarning(token: string, what: string, fix: string, now = Date.now()): string | undefined {
  const exp = tokenExpiryMs(token);
  if (exp === undefined || exp - now > NEAR_EXPIRY_MS) return undefined;
  const when = new Date(exp).toISOString();
  if (exp <= now) return `${what} expired at ${when}; ${fix}`;
  const hours = Math.floor((exp - now) / 3600_000);
  return `${what} expires at ${when} (in ${hours >= 48 ? `${Math.floor(hours / 24)} days` : `${hours} hours`}); ${fix}`;
}
