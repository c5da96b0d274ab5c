/**
 * MeshPassthrough (Kuma 2.14 meshpassthrough api + validator.go): a single-item policy, a
 * top-level targetRef and `default` only. It decides which destinations outside the mesh a
 * transparent-proxy sidecar may reach through its outbound passthrough listener: All, None, or
 * only the `appendMatch` entries (Matched, the default). The Mesh's passthrough flag is ignored
 * for a proxy this policy selects.
 */
import { isOneOf, mustBeOneOf } from '../one-of';
import { MUST_BE_DEFINED, type Violations, checkEnum, isDNSName, isIP, isObject, isUnset, listAt } from '../validation';
import { VALUE, message } from '../schema/field-schema';
import { type TargetRefPolicyShape, defineTargetRefPolicy } from './target-ref-policy';

export const PASSTHROUGH_MODES = ['All', 'Matched', 'None'] as const;
export const PASSTHROUGH_MATCH_TYPES = ['Domain', 'IP', 'CIDR'] as const;
export const PASSTHROUGH_PROTOCOLS = ['tcp', 'tls', 'grpc', 'http', 'http2', 'mysql'] as const;
/** Kuma's default when passthroughMode is unset. */
export const DEFAULT_PASSTHROUGH_MODE = 'Matched';
const LAYER7 = ['http', 'http2', 'grpc'];
// `*foo.com`, `a*.com`: only a leading `*.` label is a supported wildcard.
const PARTIAL_WILDCARD = /^\*[^.]|.\*/;

/** `a.b.c.d/n` or an IPv6 prefix (govalidator.IsCIDR). */
export function isCidr(v: string): boolean {
  const slash = v.indexOf('/');
  if (slash < 0) return false;
  const ip = v.slice(0, slash);
  const bits = v.slice(slash + 1);
  if (!isIP(ip) || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (ip.includes(':') ? 128 : 32);
}

function checkDomain(vs: Violations, field: string, m: Record<string, unknown>, value: string): void {
  if (m.protocol === 'tcp' || m.protocol === 'mysql') vs.add(`${field}.protocol`, `protocol ${m.protocol} is not supported for a domain`);
  if (PARTIAL_WILDCARD.test(value)) {
    vs.add(`${field}.value`, 'provided DNS has incorrect value, partial wildcard is currently not supported');
    return;
  }
  if (isUnset(m.port) && value.startsWith('*') && LAYER7.includes(String(m.protocol))) {
    vs.add(`${field}.port`, "wildcard domains doesn't work for all ports and layer 7 protocol");
  }
  const bare = value.startsWith('*.') ? value.slice(2) : value;
  if (!bare.startsWith('*') && !isDNSName(bare)) vs.add(`${field}.value`, 'provided DNS has incorrect value');
}

function checkMatch(vs: Violations, field: string, m: unknown, seen: Set<string>): void {
  if (!isObject(m)) {
    vs.add(field, 'must be an object');
    return;
  }
  const port = m.port;
  if (!isUnset(port) && (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)) {
    vs.add(`${field}.port`, 'port must be a valid (1-65535)');
  }
  if (isUnset(m.protocol)) vs.add(`${field}.protocol`, MUST_BE_DEFINED);
  else if (!isOneOf(m.protocol, PASSTHROUGH_PROTOCOLS)) vs.add(`${field}.protocol`, mustBeOneOf('protocol', PASSTHROUGH_PROTOCOLS));
  const value = typeof m.value === 'string' ? m.value : '';
  if (value === '') vs.add(`${field}.value`, MUST_BE_DEFINED);
  switch (m.type) {
    case 'CIDR':
      if (value !== '' && !isCidr(value)) vs.add(`${field}.value`, 'provided CIDR has incorrect value');
      break;
    case 'IP':
      if (value !== '' && !isIP(value)) vs.add(`${field}.value`, 'provided IP has incorrect value');
      break;
    case 'Domain':
      if (value !== '') checkDomain(vs, field, m, value);
      break;
    default:
      vs.add(`${field}.type`, `provided type ${String(m.type ?? '')} is not supported, one of Domain, IP, or CIDR is supported`);
  }
  if (typeof port === 'number' && value !== '') {
    const key = `${port}/${String(m.protocol)}/${value}`;
    if (seen.has(key)) vs.add(`${field}.value`, `value ${value} is already defiend for this port and protocol`);
    seen.add(key);
  }
}

function conf(vs: Violations, field: string, c: Record<string, unknown>): void {
  checkEnum(vs, `${field}.passthroughMode`, c.passthroughMode, PASSTHROUGH_MODES);
  const seen = new Set<string>();
  listAt(vs, `${field}.appendMatch`, c.appendMatch).forEach((m, i) => checkMatch(vs, `${field}.appendMatch[${i}]`, m, seen));
}

const CONF_FIELDS = message({
  passthroughMode: VALUE,
  appendMatch: message({ type: VALUE, value: VALUE, port: VALUE, protocol: VALUE }),
});

const shape: TargetRefPolicyShape = {
  topKinds: ['Mesh', 'MeshSubset', 'Dataplane'],
  default: { conf, fields: CONF_FIELDS },
};

export const meshPassthrough = defineTargetRefPolicy({ name: 'MeshPassthrough', path: 'meshpassthroughs', shortName: 'mp' }, shape);
