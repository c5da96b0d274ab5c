/**
 * Flags shared by `kuma generate dataplane-token` and `zone-token`:
 * `--valid-for` (a Go duration, required as in Kuma 2.x), `--tag` and the
 * offline signing pair `--signing-key-path` + `--kid`; and the request to
 * the control plane when it signs.
 */
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { parseKey } from '../auth/signing-key';
import { ApiError, BadRequestError, ConfigError } from '../errors';
import { durationMs } from '../resources/validation';
import type { ApiClient } from './api-client';
import { apiErrorFromResponse } from './api-errors';
import { parseKeyValueFlags } from './key-values';

export function parseValidFor(v: string): number {
  const ms = durationMs(v);
  if (ms === undefined) throw new BadRequestError(`invalid argument "${v}" for "--valid-for" flag: time: invalid duration "${v}"`);
  if (ms <= 0) throw new BadRequestError(`invalid argument "${v}" for "--valid-for" flag: the duration must be greater than 0`);
  return ms;
}

/** `--tag k=v1,v2` (repeatable; `a=1,b=2` is two tags) as tag → allowed values. */
export function parseTagFlags(values: string[] | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(parseKeyValueFlags('--tag', values, { commaSeparated: true }))) out[k] = v.split(',');
  return out;
}

/**
 * The offline signing key, or undefined when the control plane signs.
 * `--kid` names the key the token will say it was signed with, so the CP
 * can find the public half; it makes sense only with a key file.
 */
export function offlineSigningKey(path: string | undefined, kid: string | undefined): { key: KeyObject; kid: string } | undefined {
  if (!path) {
    if (kid) throw new BadRequestError('--kid can only be used together with --signing-key-path');
    return undefined;
  }
  if (!kid) throw new BadRequestError('--kid is required when --signing-key-path is used');
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new ConfigError(`could not read the signing key file "${path}": ${(e as Error).message}`);
  }
  try {
    return { key: parseKey(bytes, 'private'), kid };
  } catch (e) {
    throw new ConfigError(`the file "${path}" does not hold an RSA private key (PEM, or its base64 as "kuma generate signing-key" prints it): ${(e as Error).message}`);
  }
}

/** POSTs a token request to the control plane; its answer is the JWT as text. */
export async function requestToken(client: ApiClient, path: string, body: Record<string, unknown>, what: 'dataplane' | 'zone' | 'user'): Promise<string> {
  const res = await client.send('POST', path, { body });
  if (res.status < 200 || res.status >= 300) {
    const e = apiErrorFromResponse(res.status, res.text);
    throw new ApiError(e.status, `failed to generate a ${what} token: ${e.message}`, e);
  }
  return res.text;
}
