/**
 * Fuzz target (d): the KDS streams of a real in-process global CP (zone
 * authentication off, so fuzzed messages reach the stream logic).
 *
 * GlobalToZoneSync: the "zone" sends malformed and out-of-order Delta
 * requests (unknown types, nonces never sent, NACKs of nothing, huge and
 * hostile names, odd node metadata). ZoneToGlobalSync: it sends Delta
 * responses with garbage resources, types it may not provide, broken
 * `full:i/n` parts and removals of resources it does not own.
 *
 * Per case: the CP does not throw; the stream ends with a gRPC error or stays
 * served (a fresh stream right after is answered); the store changes only
 * where a zone may write: its own Zone record and the copies of the types
 * zones provide, labelled with its zone and origin; a response carrying an
 * undecodable resource is NACKed.
 */
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from '../../proto/gen/envoy/service/discovery/v3/discovery';
import { KumaResource } from '../../proto/gen/kuma/mesh/v1alpha1/kds';
import { encodeSpec } from '../../internal/kds/spec-codec';
import { typesZoneToGlobal } from '../../internal/kds/filters';
import { typeUrlOf } from '../../internal/proto/any';
import { registry } from '../../internal/resources/types/index';
import { VALID_BODIES, anyName, jsonValue } from './arbitraries';
import { startFuzzCp } from './control-planes';
import { DERIVED_TYPES, Target, changedKeys, dumpStore, targetTimeout, type Dump } from './harness';
import { rawClient, runStream } from './grpc-raw';

const G2Z = '/kuma.mesh.v1alpha1.KDSSyncService/GlobalToZoneSync';
const Z2G = '/kuma.mesh.v1alpha1.KDSSyncService/ZoneToGlobalSync';
const ZONE = 'fuzz-zone';
const UP_TYPES = typesZoneToGlobal(registry).map((d) => d.name);
const ALL_TYPES = registry.all().map((d) => d.name);

const typeUrl = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ALL_TYPES) },
  { weight: 1, arbitrary: fc.constantFrom('', '*', 'type.googleapis.com/envoy.config.cluster.v3.Cluster', 'mesh', 'MESH', 'Mesh ', 'x'.repeat(10_000)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);
const nonce = fc.oneof(fc.constantFrom('', '1', '2', '0', '-1', '999999', 'x'), fc.string({ maxLength: 10 }));
const names = fc.array(fc.oneof(fc.constant('*'), anyName, fc.constant('n'.repeat(100_000))), { maxLength: 4 });
// gRPC metadata values are printable ASCII (the client refuses anything else).
const clientId = fc.oneof({ weight: 6, arbitrary: fc.constant(ZONE) }, { weight: 1, arbitrary: fc.oneof(fc.stringMatching(/^[\x20-\x7e]{0,70}$/), fc.constantFrom('', 'UPPER', 'a'.repeat(64), 'zone-2', '..', 'a/b')) });

const nodeMetadata = fc.oneof(
  fc.constant(undefined),
  fc.record({ 'control-plane-id': fc.oneof(anyName, fc.integer()), version: jsonValue, config: fc.oneof(fc.string({ maxLength: 30 }), jsonValue) }, { requiredKeys: [] }),
  fc.dictionary(fc.string({ maxLength: 10 }), jsonValue, { maxKeys: 4 }),
);

/** A Delta request as the zone sends them on GlobalToZoneSync, or bytes that are not one. */
const zoneRequest = fc.oneof(
  { weight: 5, arbitrary: fc
      .record({ typeUrl, subscribe: names, unsubscribe: names, nonce, nack: fc.option(fc.string({ maxLength: 50 }), { nil: undefined }), metadata: nodeMetadata, versions: fc.dictionary(anyName, fc.string({ maxLength: 10 }), { maxKeys: 3 }) })
      .map((r) => Buffer.from(DeltaDiscoveryRequest.encode(DeltaDiscoveryRequest.fromPartial({
        typeUrl: r.typeUrl, node: { id: 'zone', metadata: r.metadata as never }, resourceNamesSubscribe: r.subscribe, resourceNamesUnsubscribe: r.unsubscribe,
        responseNonce: r.nonce, initialResourceVersions: r.versions, ...(r.nack !== undefined ? { errorDetail: { code: 3, message: r.nack } } : {}),
      })).finish())) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
);

/** A spec as Kuma's wire carries a Dataplane (an Any of its protobuf message) when it fits one, else as JSON (the targetRef form). */
function dataplaneSpecOrJson(spec: Record<string, unknown>): { typeUrl: string; value: Buffer } {
  try {
    return encodeSpec(registry.mustByName('Dataplane'), spec);
  } catch {
    return { typeUrl: '', value: Buffer.from(JSON.stringify(spec)) };
  }
}

/** Resources a zone might send: valid-looking, hostile or undecodable. `garbage` marks the undecodable ones. */
const wireResource = fc.oneof(
  fc.record({ name: fc.oneof(fc.constantFrom('web-1', 'ingress-1'), anyName), mesh: fc.oneof(fc.constantFrom('default', 'nowhere', ''), anyName), labels: fc.dictionary(fc.oneof(fc.constantFrom('kuma.io/zone', 'kuma.io/origin', 'kuma.io/mesh'), fc.string({ maxLength: 10 })), fc.oneof(fc.constantFrom('zone-2', 'global', 'zone'), fc.string({ maxLength: 10 })), { maxKeys: 3 }), spec: fc.oneof(fc.constant(VALID_BODIES.Dataplane!('default', 'x')), jsonValue) })
    .map((m) => {
      const { type: _t, mesh: _m, name: _n, ...spec } = (m.spec && typeof m.spec === 'object' && !Array.isArray(m.spec) ? m.spec : { value: m.spec }) as Record<string, unknown>;
      const bytes = KumaResource.encode({ meta: { name: m.name, mesh: m.mesh, version: '', labels: m.labels }, spec: dataplaneSpecOrJson(spec), status: undefined }).finish();
      return { name: `${m.name}.${m.mesh}`, version: 'v1', resource: { typeUrl: typeUrlOf(KumaResource), value: Buffer.from(bytes) }, garbage: false };
    }),
  fc.record({ name: anyName, bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }), typeUrl: fc.constantFrom(typeUrlOf(KumaResource), 'type.googleapis.com/google.protobuf.Struct', '') }).map((g) => ({ name: g.name, version: '', resource: { typeUrl: g.typeUrl, value: Buffer.from(g.bytes) }, garbage: true })),
  // Not '': an empty Any value is an empty message on the protobuf wire (a JSON spec of {}), not garbage.
  fc.record({ name: anyName, json: fc.constantFrom('{', 'null', '[]', '"x"', '{"a":') }).map((g) => {
    const bytes = KumaResource.encode({ meta: { name: g.name, mesh: 'default', version: '', labels: {} }, spec: { typeUrl: '', value: Buffer.from(g.json) }, status: undefined }).finish();
    return { name: g.name, version: '', resource: { typeUrl: typeUrlOf(KumaResource), value: Buffer.from(bytes) }, garbage: true };
  }),
);

const zoneResponse = fc
  .record({
    typeUrl: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...UP_TYPES) }, { weight: 2, arbitrary: typeUrl }),
    version: fc.constantFrom('full:1/1', 'full:1/2', 'full:2/2', 'full:0/0', 'full:x/y', 'full:3/1', 'full:1/99999999', 'full:', 'delta', ''),
    resources: fc.array(wireResource, { maxLength: 3 }),
    removed: fc.array(fc.oneof(fc.constantFrom('keep.default', 'web-1.default', 'default.', 'other-dp.default', 'zone-2-ingress.'), anyName), { maxLength: 3 }),
    nonce,
  })
  .map((r) => ({
    garbage: r.resources.some((x) => x.garbage),
    bytes: Buffer.from(DeltaDiscoveryResponse.encode(DeltaDiscoveryResponse.fromPartial({ typeUrl: r.typeUrl, systemVersionInfo: r.version, resources: r.resources.map(({ garbage: _g, ...w }) => w), removedResources: r.removed, nonce: r.nonce })).finish()),
    nonce: r.nonce,
    complete: !r.version.startsWith('full:') || r.version === 'full:1/1',
  }));

interface KdsCase {
  kind: string;
  zone: string;
  stream: 'g2z' | 'z2g';
  requests: Buffer[];
  responses: { garbage: boolean; bytes: Buffer; nonce: string; complete: boolean }[];
}

const cases: fc.Arbitrary<KdsCase> = fc.oneof(
  fc.record({ zone: clientId, requests: fc.array(zoneRequest, { minLength: 1, maxLength: 5 }) }).map((c) => ({ kind: 'global->zone: malformed and out-of-order requests', stream: 'g2z' as const, responses: [], ...c })),
  fc.record({ zone: clientId, responses: fc.array(zoneResponse, { minLength: 1, maxLength: 4 }) }).map((c) => ({ kind: 'zone->global: garbage and foreign resources', stream: 'z2g' as const, requests: [], ...c })),
);

describe('fuzz: KDS streams of the global', () => {
  let cp: Awaited<ReturnType<typeof startFuzzCp>>;
  let client: grpc.Client;
  /** What the zones of the cases have written so far (their own copies may change later, e.g. be deleted by a full state). */
  beforeAll(async () => {
    cp = await startFuzzCp('global');
    client = rawClient(`127.0.0.1:${cp.kdsPort}`, grpc.credentials.createInsecure());
    // Resources a zone must never touch: global ones, and another zone's copies.
    await cp.store.create({ type: 'Zone', mesh: '', name: ZONE, labels: {}, spec: { enabled: true } });
    await cp.store.create({ type: 'TrafficRoute', mesh: 'default', name: 'keep', labels: { 'kuma.io/origin': 'global' }, spec: VALID_BODIES.TrafficRoute!('default', 'keep') });
    await cp.store.create({ type: 'Dataplane', mesh: 'default', name: 'other-dp', labels: { 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-2' }, spec: { networking: { address: '10.0.0.9', inbound: [{ port: 1, tags: { 'kuma.io/service': 'b' } }] } } });
    await cp.store.create({ type: 'ZoneIngress', mesh: '', name: 'zone-2-ingress', labels: { 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-2' }, spec: { zone: 'zone-2', networking: { address: '10.0.0.8', port: 10001 } } });
  });
  afterAll(async () => {
    client?.close();
    await cp?.stop();
  });

  /** Whether a change at `key` is one a zone named `zone` may make. */
  const zoneMayChange = (zone: string, before: Dump, after: Dump, key: string) => {
    const [type, , name] = key.split('/');
    if (type === 'Zone') return name === zone;
    if (!UP_TYPES.includes(type!)) return false;
    return [before.get(key), after.get(key)].every((v) => {
      if (v === undefined) return true;
      const labels = (JSON.parse(v) as { labels: Record<string, string> }).labels;
      return labels['kuma.io/zone'] === zone && labels['kuma.io/origin'] === 'zone';
    });
  };

  /** A fresh, valid subscription is answered: the server still serves. */
  const probe = async () => {
    const md = new grpc.Metadata();
    md.set('client-id', 'probe-zone');
    const sub = Buffer.from(DeltaDiscoveryRequest.encode(DeltaDiscoveryRequest.fromPartial({ typeUrl: 'Mesh', node: { id: 'probe' }, resourceNamesSubscribe: ['*'] })).finish());
    const r = await runStream(client, G2Z, [sub], { metadata: md, quietMs: 2_000, maxMs: 2_000, stopAfter: 1 });
    if (r.responses.length === 0) throw new Error(`after the case a fresh subscription got no answer (status ${r.status?.code} ${r.status?.details ?? ''})`);
  };

  it('survives malformed, out-of-order and foreign KDS messages and writes only what a zone may', { timeout: targetTimeout(150) }, async () => {
    const t = new Target('kds');
    await t.run(cases, async (c) => {
      const before = dumpStore(cp.store, DERIVED_TYPES);
      const md = new grpc.Metadata();
      md.set('client-id', c.zone);
      let r;
      const nacked = new Set<string>();
      const acked = new Set<string>();
      if (c.stream === 'g2z') {
        r = await runStream(client, G2Z, c.requests, { metadata: md, quietMs: 30 });
      } else {
        // The global subscribes first; the zone answers once it has the subscriptions.
        let sent = false;
        r = await runStream(client, Z2G, [], {
          metadata: md,
          quietMs: 40,
          onResponse: (b, send) => {
            const req = DeltaDiscoveryRequest.decode(b);
            if (req.responseNonce) (req.errorDetail ? nacked : acked).add(req.responseNonce);
            if (!sent) {
              sent = true;
              for (const m of c.responses) send(m.bytes);
            }
          },
        });
      }
      // Applying goes through the store's group commit: let it land before comparing.
      await new Promise((res) => setTimeout(res, 5));
      const after = dumpStore(cp.store, DERIVED_TYPES);
      const outside = changedKeys(before, after).filter((k) => !zoneMayChange(c.zone, before, after, k));
      if (outside.length) throw new Error(`a zone changed what it may not: ${outside.slice(0, 5).join(', ')}`);
      if (r.status && r.status.code !== grpc.status.OK) t.count('streamError');
      else {
        // Unique nonces only: a repeated one cannot be told apart.
        const counts = new Map<string, number>();
        for (const m of c.responses) counts.set(m.nonce, (counts.get(m.nonce) ?? 0) + 1);
        const accepted = c.responses.find((m) => m.garbage && m.complete && counts.get(m.nonce) === 1 && acked.has(m.nonce) && !nacked.has(m.nonce));
        if (accepted) throw new Error(`the global ACKed a response carrying an undecodable resource (nonce ${JSON.stringify(accepted.nonce)})`);
        t.count(nacked.size > 0 ? 'streamError' : 'accepted');
      }
      await probe();
    });
    expect(t.finish()).toBe('');
  });
});
