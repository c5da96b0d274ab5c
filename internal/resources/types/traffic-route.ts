/** TrafficRoute (spec kuma-api-cli.md §1.10; Kuma traffic_route_validator.go). */
import type { Spec } from '../model';
import { Violations, checkTags, checkUint32, isObject, isUnset, listAt, objectAt } from '../validation';
import { checkConnectionSelectors, confOf, legacyPolicy } from './legacy-policy';
import { protoMessage } from '../schema/field-schema';

const LB_KINDS = ['roundRobin', 'leastRequest', 'ringHash', 'random', 'maglev'] as const;
const MATCHERS = ['exact', 'prefix', 'regex'] as const;

/** A route target: a non-empty tag selector naming kuma.io/service ("*" allowed). */
function checkDestination(vs: Violations, field: string, tags: unknown): void {
  if (isObject(tags) && Object.keys(tags).length === 0) vs.add(field, 'must have at least one tag');
  checkTags(vs, field, tags, { requireService: true, allowWildcard: true });
}

function checkSplit(vs: Violations, field: string, split: unknown): void {
  const entries = listAt(vs, field, split);
  if (entries.length === 0) {
    if (Array.isArray(split)) vs.add(field, 'must have at least one element');
    return;
  }
  let total = 0;
  entries.forEach((e, i) => {
    const f = `${field}[${i}]`;
    const entry = isObject(e) ? e : {};
    if (isUnset(entry.weight)) vs.add(`${f}.weight`, 'needs to be defined');
    else {
      checkUint32(vs, `${f}.weight`, entry.weight);
      if (typeof entry.weight === 'number') total += entry.weight;
    }
    checkDestination(vs, `${f}.destination`, entry.destination ?? {});
  });
  if (total === 0) vs.add(field, 'there must be at least one split entry with weight above 0');
}

/** Exactly one of `split` and `destination` says where traffic goes. */
function checkSplitAndDestination(vs: Violations, field: string, o: Record<string, unknown>): void {
  const hasSplit = !isUnset(o.split);
  const hasDest = !isUnset(o.destination);
  const at = (k: string) => (field ? `${field}.${k}` : k);
  if (!hasSplit && !hasDest) vs.add(field, 'requires either "destination" or "split"');
  if (hasSplit && hasDest) vs.add(field, '"split" cannot be defined at the same time as "destination"');
  if (hasSplit) checkSplit(vs, at('split'), o.split);
  if (hasDest) checkDestination(vs, at('destination'), o.destination);
}

function checkStringMatcher(vs: Violations, field: string, m: unknown): void {
  const set = isObject(m) ? MATCHERS.filter((k) => !isUnset(m[k])) : [];
  if (set.length === 0) {
    vs.add(field, 'cannot be empty. Available options: "exact", "split" or "regex"');
    return;
  }
  for (const k of set) {
    if (k !== 'exact' && (m as Record<string, unknown>)[k] === '') vs.add(`${field}.${k}`, 'cannot be empty');
  }
}

function checkHeaderName(vs: Violations, field: string, name: unknown): void {
  if (typeof name !== 'string' || name === '') vs.add(field, 'cannot be empty');
  // Envoy owns these; rewriting them breaks routing.
  else if (name.startsWith(':') || name === 'host' || name === 'Host') vs.add(field, 'host header and HTTP/2 pseudo-headers are not allowed to be modified');
}

function checkModify(vs: Violations, field: string, modify: Record<string, unknown>, match: Record<string, unknown>): void {
  const path = objectAt(vs, `${field}.path`, modify.path);
  if (path) {
    if (!isUnset(path.rewritePrefix)) {
      const prefix = isObject(match.path) ? match.path.prefix : undefined;
      if (path.rewritePrefix === '') vs.add(`${field}.path.rewritePrefix`, 'cannot be empty');
      else if (typeof prefix !== 'string' || prefix === '') vs.add(`${field}.path.rewritePrefix`, 'can only be set when .http.match.path.prefix is not empty');
    } else if (isObject(path.regex)) {
      if (!path.regex.pattern) vs.add(`${field}.path.regex.pattern`, 'cannot be empty');
      if (!path.regex.substitution) vs.add(`${field}.path.regex.substitution`, 'cannot be empty');
    } else vs.add(`${field}.path`, 'either "rewritePrefix" or "regex" has to be set');
  }
  const host = objectAt(vs, `${field}.host`, modify.host);
  if (host) {
    if (!isUnset(host.value)) {
      if (host.value === '') vs.add(`${field}.host.value`, 'cannot be empty');
    } else if (isObject(host.fromPath)) {
      if (!host.fromPath.pattern) vs.add(`${field}.host.fromPath.pattern`, 'cannot be empty');
      if (!host.fromPath.substitution) vs.add(`${field}.host.fromPath.substitution`, 'cannot be empty');
    } else vs.add(`${field}.host`, 'either "value" or "fromPath" has to be set');
  }
  for (const side of ['requestHeaders', 'responseHeaders']) {
    const h = objectAt(vs, `${field}.${side}`, modify[side]);
    if (!h) continue;
    listAt(vs, `${field}.${side}.add`, h.add).forEach((a, i) => {
      const entry = isObject(a) ? a : {};
      checkHeaderName(vs, `${field}.${side}.add[${i}].name`, entry.name);
      if (typeof entry.value !== 'string' || entry.value === '') vs.add(`${field}.${side}.add[${i}].value`, 'cannot be empty');
    });
    listAt(vs, `${field}.${side}.remove`, h.remove).forEach((r, i) => {
      checkHeaderName(vs, `${field}.${side}.remove[${i}].name`, isObject(r) ? r.name : undefined);
    });
  }
}

function checkHttp(vs: Violations, field: string, route: unknown): void {
  const r = isObject(route) ? route : {};
  const match = isObject(r.match) ? r.match : {};
  if (isUnset(match.path) && isUnset(match.method) && isUnset(match.headers)) {
    vs.add(`${field}.match`, 'must be present and contain at least one of the elements: "method", "path" or "headers"');
  } else {
    if (!isUnset(match.method)) checkStringMatcher(vs, `${field}.match.method`, match.method);
    if (!isUnset(match.path)) checkStringMatcher(vs, `${field}.match.path`, match.path);
    if (isObject(match.headers)) {
      if (Object.keys(match.headers).length === 0) vs.add(`${field}.match.headers`, 'must contain at least one element');
      for (const [k, m] of Object.entries(match.headers)) checkStringMatcher(vs, `${field}.match.headers["${k}"]`, m);
    }
  }
  if (isObject(r.modify)) checkModify(vs, `${field}.modify`, r.modify, match);
  checkSplitAndDestination(vs, field, r);
}

function checkLoadBalancer(vs: Violations, lbv: unknown): void {
  const lb = objectAt(vs, 'conf.loadBalancer', lbv);
  if (!lb) return;
  const kinds = LB_KINDS.filter((k) => !isUnset(lb[k]));
  // A proto oneof: one algorithm at a time (none means the default, round robin).
  if (kinds.length > 1) vs.add('conf.loadBalancer', `must have only one type defined: ${LB_KINDS.join(', ')}`);
  const least = isObject(lb.leastRequest) ? lb.leastRequest : undefined;
  if (least && least.choiceCount === 1) vs.add('conf.loadBalancer.leastRequest.choiceCount', 'value must be greater than or equal to 2');
  if (least) checkUint32(vs, 'conf.loadBalancer.leastRequest.choiceCount', least.choiceCount);
  if (!isUnset(lb.ringHash)) {
    const ring = isObject(lb.ringHash) ? lb.ringHash : {};
    if (ring.hashFunction !== 'XX_HASH' && ring.hashFunction !== 'MURMUR_HASH_2') {
      vs.add('conf.loadBalancer.ringHash.hashFunction', 'must have a valid hash function');
    }
    checkUint32(vs, 'conf.loadBalancer.ringHash.minRingSize', ring.minRingSize);
    checkUint32(vs, 'conf.loadBalancer.ringHash.maxRingSize', ring.maxRingSize);
  }
}

function validate(spec: Spec) {
  const vs = new Violations();
  checkConnectionSelectors(vs, spec);
  const conf = confOf(vs, spec, 'cannot be empty');
  if (!conf) return vs.list;
  checkSplitAndDestination(vs, 'conf', conf);
  listAt(vs, 'conf.http', conf.http).forEach((h, i) => checkHttp(vs, `conf.http[${i}]`, h));
  checkLoadBalancer(vs, conf.loadBalancer);
  return vs.list;
}

export const trafficRoute = legacyPolicy({
  fields: protoMessage('kuma.mesh.v1alpha1.TrafficRoute'),
  name: 'TrafficRoute',
  path: 'traffic-routes',
  cliSingular: 'traffic-route',
  cliPlural: 'traffic-routes',
  validate,
});
