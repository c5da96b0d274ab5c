/** MeshLoadBalancingStrategy (spec kuma-api-cli.md §1.11; Kuma meshloadbalancingstrategy validator.go): `to` only. */
import {
  MUST_BE_DEFINED,
  type Violations,
  checkBool,
  checkDecimalPercentage,
  checkEnum,
  checkIntGreaterThanZero,
  checkUint32,
  isObject,
  isUnset,
  listAt,
  objectAt,
} from '../validation';
import { type ConfContext, type TargetRefPolicyShape, defineTargetRefPolicy } from './target-ref-policy';
import { VALUE, message } from '../schema/field-schema';

const LB_TYPES = ['RoundRobin', 'LeastRequest', 'RingHash', 'Random', 'Maglev'] as const;
// Each hash policy type names the sub-object that configures it (SourceIP needs none).
const HASH_POLICY_FIELD: Record<string, string | undefined> = {
  Header: 'header',
  Cookie: 'cookie',
  Connection: 'connection',
  SourceIP: undefined,
  QueryParameter: 'queryParameter',
  FilterState: 'filterState',
};
const HASH_POLICIES_TWICE_MSG = 'hashPolicies already specified in the root level';
const ROUTE_ONLY_MSG = 'field is not allowed when targetRef.kind is MeshHTTPRoute, only hashPolicies is supported';

function checkHashPolicies(vs: Violations, field: string, v: unknown): void {
  listAt(vs, field, v).forEach((p, i) => {
    const f = `${field}[${i}]`;
    const type = isObject(p) ? p.type : undefined;
    if (typeof type !== 'string' || !(type in HASH_POLICY_FIELD)) {
      vs.add(`${f}.type`, 'unrecognized type');
      return;
    }
    const sub = HASH_POLICY_FIELD[type];
    if (!sub || !isObject(p)) return;
    if (isUnset(p[sub])) {
      vs.add(`${f}.${sub}`, MUST_BE_DEFINED);
      return;
    }
    const cookie = type === 'Cookie' ? objectAt(vs, `${f}.cookie`, p.cookie) : undefined;
    if (cookie && typeof cookie.path === 'string' && !cookie.path.startsWith('/')) vs.add(`${f}.cookie.path`, 'must be an absolute path');
  });
}

function checkLoadBalancer(vs: Violations, field: string, v: unknown): void {
  const lb = objectAt(vs, field, v);
  if (!lb) return;
  if (isUnset(lb.type)) vs.add(`${field}.type`, MUST_BE_DEFINED);
  else checkEnum(vs, `${field}.type`, lb.type, LB_TYPES);
  const lr = objectAt(vs, `${field}.leastRequest`, lb.leastRequest);
  if (lr) {
    checkUint32(vs, `${field}.leastRequest.choiceCount`, lr.choiceCount);
    const bias = lr.activeRequestBias;
    if (!isUnset(bias)) {
      const n = typeof bias === 'number' ? bias : typeof bias === 'string' && /^-?\d+(\.\d+)?$/.test(bias) ? Number(bias) : NaN;
      if (Number.isNaN(n)) vs.add(`${field}.leastRequest.activeRequestBias`, 'string must be a valid number');
      else if (n < 0) vs.add(`${field}.leastRequest.activeRequestBias`, 'must be greater or equal then: 0');
    }
  }
  const rh = objectAt(vs, `${field}.ringHash`, lb.ringHash);
  if (rh) {
    checkEnum(vs, `${field}.ringHash.hashFunction`, rh.hashFunction, ['XXHash', 'MurmurHash2']);
    checkUint32(vs, `${field}.ringHash.minRingSize`, rh.minRingSize);
    checkUint32(vs, `${field}.ringHash.maxRingSize`, rh.maxRingSize);
    checkHashPolicies(vs, `${field}.ringHash.hashPolicies`, rh.hashPolicies);
  }
  const mg = objectAt(vs, `${field}.maglev`, lb.maglev);
  if (mg) {
    checkUint32(vs, `${field}.maglev.tableSize`, mg.tableSize);
    checkHashPolicies(vs, `${field}.maglev.hashPolicies`, mg.hashPolicies);
  }
}

function checkLocalityAwareness(vs: Violations, field: string, v: unknown): void {
  const la = objectAt(vs, field, v);
  if (!la) return;
  checkBool(vs, `${field}.disabled`, la.disabled);
  const lz = objectAt(vs, `${field}.localZone`, la.localZone);
  if (lz) {
    const tags = listAt(vs, `${field}.localZone.affinityTags`, lz.affinityTags);
    let weighted = 0;
    tags.forEach((t, i) => {
      const f = `${field}.localZone.affinityTags[${i}]`;
      if (!isObject(t) || typeof t.key !== 'string' || t.key === '') vs.add(`${f}.key`, 'must not be empty');
      if (isObject(t) && !isUnset(t.weight)) {
        checkIntGreaterThanZero(vs, `${f}.weight`, t.weight);
        weighted++;
      }
    });
    if (weighted > 0 && weighted !== tags.length) vs.add(`${field}.localZone.affinityTags`, 'all or none affinity tags should have weight');
  }
  const cz = objectAt(vs, `${field}.crossZone`, la.crossZone);
  if (!cz) return;
  listAt(vs, `${field}.crossZone.failover`, cz.failover).forEach((fo, i) => {
    const f = `${field}.crossZone.failover[${i}]`;
    if (!isObject(fo)) return vs.add(f, 'must be an object');
    const from = objectAt(vs, `${f}.from`, fo.from);
    if (from) {
      const zones = listAt(vs, `${f}.from.zones`, from.zones);
      if (zones.length === 0) vs.add(`${f}.from.zones`, 'must not be empty');
      zones.forEach((z, j) => {
        if (typeof z !== 'string' || z === '') vs.add(`${f}.from.zones[${j}]`, 'must not be empty');
      });
    }
    const to = isObject(fo.to) ? fo.to : {};
    const zones = listAt(vs, `${f}.to.zones`, to.zones);
    if (to.type === 'Any' || to.type === 'None') {
      if (zones.length > 0) vs.add(`${f}.to.zones`, `must be empty when type is ${to.type}`);
    } else if (to.type === 'AnyExcept' || to.type === 'Only') {
      if (zones.length === 0) vs.add(`${f}.to.zones`, `must not be empty when type is ${to.type}`);
    } else {
      vs.add(`${f}.to.type`, 'unrecognized type');
    }
  });
  const ft = objectAt(vs, `${field}.crossZone.failoverThreshold`, cz.failoverThreshold);
  if (ft) checkDecimalPercentage(vs, `${field}.crossZone.failoverThreshold.percentage`, ft.percentage, { required: true, allowZero: false });
}

function conf(vs: Violations, field: string, c: Record<string, unknown>, ctx: ConfContext): void {
  checkHashPolicies(vs, `${field}.hashPolicies`, c.hashPolicies);
  // A route only picks the hash key; balancing itself belongs to the backend's cluster.
  if (ctx.itemKind === 'MeshHTTPRoute') {
    if (!isUnset(c.loadBalancer)) vs.add(`${field}.loadBalancer`, ROUTE_ONLY_MSG);
    if (!isUnset(c.localityAwareness)) vs.add(`${field}.localityAwareness`, ROUTE_ONLY_MSG);
    return;
  }
  checkLoadBalancer(vs, `${field}.loadBalancer`, c.loadBalancer);
  checkLocalityAwareness(vs, `${field}.localityAwareness`, c.localityAwareness);
  // Kuma 2.10 moved hashPolicies up to `default`; one conf may not hold both (the root one would win).
  if (!isUnset(c.hashPolicies) && isObject(c.loadBalancer)) {
    for (const kind of ['ringHash', 'maglev'] as const) {
      const sub = c.loadBalancer[kind];
      if (isObject(sub) && !isUnset(sub.hashPolicies)) vs.add(`${field}.loadBalancer.${kind}.hashPolicies`, HASH_POLICIES_TWICE_MSG);
    }
  }
}

/** Kuma meshloadbalancingstrategy Conf. */
const NAMED = message({ name: VALUE });
const HASH_POLICY = message({
  type: VALUE,
  terminal: VALUE,
  header: NAMED,
  cookie: message({ name: VALUE, ttl: VALUE, path: VALUE }),
  connection: message({ sourceIP: VALUE }),
  queryParameter: NAMED,
  filterState: message({ key: VALUE }),
});
const CONF_FIELDS = message({
  localityAwareness: message({
    disabled: VALUE,
    localZone: message({ affinityTags: message({ key: VALUE, weight: VALUE }) }),
    crossZone: message({
      failover: message({ from: message({ zones: VALUE }), to: message({ type: VALUE, zones: VALUE }) }),
      failoverThreshold: message({ percentage: VALUE }),
    }),
  }),
  loadBalancer: message({
    type: VALUE,
    roundRobin: message({}),
    leastRequest: message({ choiceCount: VALUE, activeRequestBias: VALUE }),
    ringHash: message({ hashFunction: VALUE, minRingSize: VALUE, maxRingSize: VALUE, hashPolicies: HASH_POLICY }),
    random: message({}),
    maglev: message({ tableSize: VALUE, hashPolicies: HASH_POLICY }),
  }),
  hashPolicies: HASH_POLICY,
});

const shape: TargetRefPolicyShape = {
  topKinds: ['Mesh', 'MeshSubset', 'MeshGateway', 'MeshService', 'MeshServiceSubset', 'Dataplane'],
  to: { kinds: ['Mesh', 'MeshService', 'MeshExternalService', 'MeshMultiZoneService', 'MeshHTTPRoute'], conf, fields: CONF_FIELDS },
};

export const meshLoadBalancingStrategy = defineTargetRefPolicy({ name: 'MeshLoadBalancingStrategy', path: 'meshloadbalancingstrategies', shortName: 'mlbs', pluralDisplayName: 'Mesh Load Balancing Strategies' }, shape);
