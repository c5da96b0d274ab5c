/**
 * POST /tokens/dataplane, /tokens/zone and /tokens/user (spec
 * kuma-api-cli.md §2.6, §5; Kuma pkg/tokens/builtin/server/webservice.go and
 * pkg/plugins/authn/api-server/tokens/ws). Admin only by default (access.ts
 * generate*Token rules); the answer is the JWT as text/plain. As in Kuma, a
 * dataplane request is validated before access is checked, zone and user
 * requests after.
 */
import { ValidationError, type Violation } from '../errors';
import { issueDataplaneToken, issueUserToken, issueZoneToken, PROXY_TYPES, SigningKeyNotFoundError, ZONE_TOKEN_SCOPES } from '../auth/tokens';
import { assertGenerateToken } from './access';
import { durationMs } from '../resources/validation';
import type { ApiDeps } from './deps';
import { HttpError, readBody, sendError, sendFailure, sendText } from './http-util';
import type { RequestContext, Router } from './router';

const T_INVALID = 'Invalid request';
const T_ISSUE = 'Could not issue a token';
/** An empty validFor means 10 years (Kuma's back-compat for tokens of 1.3.x clients). */
const LEGACY_VALID_FOR_MS = 10 * 365 * 86_400_000;

export function registerTokenEndpoints(router: Router, deps: ApiDeps): void {
  router.add('POST', '/tokens/dataplane', (c) => dataplaneToken(deps, c));
  router.add('POST', '/tokens/zone', (c) => zoneToken(deps, c));
  router.add('POST', '/tokens/user', (c) => userToken(deps, c));
}

async function userToken(deps: ApiDeps, c: RequestContext): Promise<void> {
  try {
    const body = await readObject(deps, c);
    assertGenerateToken(deps.config.access.static, c.user, 'user');
    const vs: Violation[] = [];
    for (const k of Object.keys(body)) if (!['name', 'groups', 'validFor'].includes(k)) vs.push({ field: k, message: 'unknown field; a user token request has name, groups and validFor' });
    const name = optString(body, 'name', vs);
    if (!name && !vs.some((v) => v.field === 'name')) vs.push({ field: 'name', message: 'cannot be empty' });
    const groups: string[] = [];
    if (body.groups !== undefined && body.groups !== null) {
      if (!Array.isArray(body.groups)) vs.push({ field: 'groups', message: 'must be a list of group names' });
      else {
        body.groups.forEach((g, i) => {
          if (typeof g === 'string' && g !== '') groups.push(g);
          else vs.push({ field: `groups[${i}]`, message: 'must be a non-empty string' });
        });
      }
    }
    const validFor = validForOf(body.validFor, vs);
    if (vs.length) throw new ValidationError(vs);
    const token = await issueUserToken(deps.store, { name, groups: [...new Set(groups)] }, validFor);
    sendText(c.res, 200, token);
  } catch (e) {
    fail(c, e);
  }
}

async function dataplaneToken(deps: ApiDeps, c: RequestContext): Promise<void> {
  try {
    const body = await readObject(deps, c);
    const vs: Violation[] = [];
    const mesh = optString(body, 'mesh', vs);
    if (!mesh) vs.push({ field: 'mesh', message: 'cannot be empty' });
    const name = optString(body, 'name', vs);
    const workload = optString(body, 'workload', vs);
    const type = optString(body, 'type', vs);
    if (type && !(PROXY_TYPES as readonly string[]).includes(type)) vs.push({ field: 'type', message: `${type} is not a valid proxy type` });
    const tags = tagsOf(body.tags, vs);
    const validFor = validForOf(body.validFor, vs);
    if (vs.length) throw new ValidationError(vs);
    assertGenerateToken(deps.config.access.static, c.user, 'dataplane');
    const token = await issueDataplaneToken(deps.store, { name, mesh, tags, type, workload }, validFor);
    sendText(c.res, 200, token);
  } catch (e) {
    fail(c, e);
  }
}

async function zoneToken(deps: ApiDeps, c: RequestContext): Promise<void> {
  try {
    const body = await readObject(deps, c);
    assertGenerateToken(deps.config.access.static, c.user, 'zone');
    const vs: Violation[] = [];
    const zone = optString(body, 'zone', vs);
    const scope: string[] = [];
    if (body.scope !== undefined && body.scope !== null && !Array.isArray(body.scope)) vs.push({ field: 'scope', message: 'must be a list of scopes' });
    else if (!Array.isArray(body.scope) || body.scope.length === 0) vs.push({ field: 'scope', message: 'cannot be empty' });
    else {
      body.scope.forEach((s, i) => {
        if (typeof s === 'string' && (ZONE_TOKEN_SCOPES as readonly string[]).includes(s)) scope.push(s);
        else vs.push({ field: `scope[${i}]`, message: `${JSON.stringify(s)} is not a valid scope; use one of: ${ZONE_TOKEN_SCOPES.join(', ')}` });
      });
    }
    const validFor = validForOf(body.validFor, vs);
    if (vs.length) throw new ValidationError(vs);
    const token = await issueZoneToken(deps.store, { zone, scope }, validFor);
    sendText(c.res, 200, token);
  } catch (e) {
    fail(c, e);
  }
}

function fail(c: RequestContext, e: unknown): void {
  if (e instanceof SigningKeyNotFoundError) return sendError(c.res, 404, 'Signing Key not found', e.message);
  sendFailure(c.res, e, e instanceof ValidationError ? T_INVALID : T_ISSUE);
}

async function readObject(deps: ApiDeps, c: RequestContext): Promise<Record<string, unknown>> {
  const text = await readBody(c.req, deps.config.apiServer.maxBodyBytes);
  let doc: unknown;
  try {
    doc = text.trim() === '' ? {} : JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, 'Bad Request', `invalid token request: "${(e as Error).message}"`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new HttpError(400, 'Bad Request', 'invalid token request: "the body must be a JSON object"');
  return doc as Record<string, unknown>;
}

function optString(body: Record<string, unknown>, field: string, vs: Violation[]): string {
  const v = body[field];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') {
    vs.push({ field, message: 'must be a string' });
    return '';
  }
  return v;
}

function tagsOf(v: unknown, vs: Violation[]): Record<string, string[]> {
  if (v === undefined || v === null) return {};
  const ok = typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every((x) => Array.isArray(x) && x.every((s) => typeof s === 'string'));
  if (!ok) {
    vs.push({ field: 'tags', message: 'must be a map of tag name to a list of values, e.g. {"kuma.io/service": ["web"]}' });
    return {};
  }
  return v as Record<string, string[]>;
}

function validForOf(v: unknown, vs: Violation[]): number {
  if (v === undefined || v === null || v === '') return LEGACY_VALID_FOR_MS;
  const ms = typeof v === 'string' ? durationMs(v) : undefined;
  if (ms === undefined) vs.push({ field: 'validFor', message: `is invalid: time: invalid duration ${JSON.stringify(String(v))}` });
  else if (ms <= 0) vs.push({ field: 'validFor', message: 'must be greater than 0' });
  return ms ?? 0;
}
