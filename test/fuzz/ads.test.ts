/**
 * Fuzz target (e): the ADS streams (Delta and SotW) of a real in-process
 * zone CP's DP server, over TLS as Envoy dials it (dataplane token auth off,
 * so fuzzed messages reach the stream logic): bad type URLs, out-of-order and
 * unknown nonces, ACKs of versions never sent, unsubscribes of unknown names,
 * malformed node ids and metadata, bytes that are no request at all.
 *
 * Per case: the CP does not throw; the stream ends with a gRPC error or stays
 * served, and a fresh stream of the real proxy right after gets its config;
 * the store changes only in the proxy resource the stream's node names
 * (kuma-dp registers the Dataplane it carries in its metadata; it is removed
 * again some time after the stream ends).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaDiscoveryRequest, DiscoveryRequest } from '../../proto/gen/envoy/service/discovery/v3/discovery';
import { VALID_BODIES, anyName, jsonValue } from './arbitraries';
import { startFuzzCp } from './control-planes';
import { DERIVED_TYPES, Target, changedKeys, dumpStore, targetTimeout } from './harness';
import { rawClient, runStream } from './grpc-raw';
import { rawRequest } from './http-client';

const DELTA = '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources';
const SOTW = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
const T = 'type.googleapis.com/envoy.config.';
const XDS_TYPES = [`${T}listener.v3.Listener`, `${T}cluster.v3.Cluster`, `${T}route.v3.RouteConfiguration`, `${T}endpoint.v3.ClusterLoadAssignment`, 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret'];

const typeUrl = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...XDS_TYPES) },
  { weight: 1, arbitrary: fc.constantFrom('', '*', 'Mesh', `${T}listener.v2.Listener`, 'type.googleapis.com/google.protobuf.Struct', `${T}cluster.v3.Cluster `, 'x'.repeat(10_000)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);
const nonce = fc.oneof(fc.constantFrom('', '1', '2', '3', '0', '-1', '99999999999999999999', 'x'), fc.string({ maxLength: 10 }));
const versionInfo = fc.oneof(fc.constantFrom('', '1', 'v1', 'unknown-version', '0'), fc.string({ maxLength: 20 }));
const names = fc.array(fc.oneof(fc.constantFrom('*', 'inbound:10.0.0.1:8080', 'localhost:8080', 'web', 'kuma:envoy:admin', 'no-such-cluster'), anyName, fc.constant('n'.repeat(50_000))), { maxLength: 4 });

const nodeId = fc.oneof({ weight: 5, arbitrary: fc.constant('default.web-1') }, { weight: 2, arbitrary: fc.oneof(fc.constantFrom('', 'default.', '.web-1', 'nodot', 'nowhere.web-1', 'default.no-such', 'default.web-1.extra', '..', 'default.x'), anyName) });

/** Node metadata: kuma-dp's keys with values of any shape, or keys of any name. */
const nodeMetadata = fc.oneof(
  fc.constant(undefined),
  fc.record(
    {
      'dataplane.proxyType': fc.oneof(fc.constantFrom('dataplane', 'ingress', 'egress', 'gateway', '', 'toString', 'constructor', '__proto__', 'hasOwnProperty'), jsonValue),
      'dataplane.resource': fc.oneof(
        fc.constantFrom('{', '""', 'null', '[]', '{"type":"Mesh","name":"m"}', '{"type":"Dataplane","mesh":"default","name":"web-1"}', '{"type":"ZoneIngress","name":"zi"}'),
        fc.record({ mesh: fc.constantFrom('default', 'nowhere'), name: fc.oneof(fc.constant('web-1'), anyName) }).map(({ mesh, name }) => JSON.stringify(VALID_BODIES.Dataplane!(mesh, name))),
        jsonValue.map((v) => JSON.stringify(v)),
        jsonValue,
      ),
      'dataplane.dns.port': fc.oneof(fc.integer({ min: -1, max: 70_000 }), jsonValue),
      'dataplane.admin.port': jsonValue,
      version: jsonValue,
      features: jsonValue,
    },
    { requiredKeys: [] },
  ),
  fc.dictionary(fc.string({ maxLength: 12 }), jsonValue, { maxKeys: 3 }),
);

interface AdsCase {
  kind: string;
  protocol: 'delta' | 'sotw';
  /** The node id of the first request (what the stream identifies as). */
  nodeId: string;
  messages: Buffer[];
}

const node = (id: string, metadata: unknown) => ({ id, cluster: 'web', metadata: metadata as never });

const deltaRequest = (first: { id: string; md: unknown } | undefined) =>
  fc
    .record({ typeUrl, subscribe: names, unsubscribe: names, nonce, nack: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), versions: fc.dictionary(anyName, versionInfo, { maxKeys: 3 }) })
    .map((r) => Buffer.from(DeltaDiscoveryRequest.encode(DeltaDiscoveryRequest.fromPartial({
      ...(first ? { node: node(first.id, first.md) } : {}), typeUrl: r.typeUrl, resourceNamesSubscribe: r.subscribe, resourceNamesUnsubscribe: r.unsubscribe,
      responseNonce: r.nonce, initialResourceVersions: r.versions, ...(r.nack !== undefined ? { errorDetail: { code: 13, message: r.nack } } : {}),
    })).finish()));

const sotwRequest = (first: { id: string; md: unknown } | undefined) =>
  fc
    .record({ typeUrl, names, nonce, version: versionInfo, nack: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }) })
    .map((r) => Buffer.from(DiscoveryRequest.encode(DiscoveryRequest.fromPartial({
      ...(first ? { node: node(first.id, first.md) } : {}), typeUrl: r.typeUrl, resourceNames: r.names, responseNonce: r.nonce, versionInfo: r.version,
      ...(r.nack !== undefined ? { errorDetail: { code: 13, message: r.nack } } : {}),
    })).finish()));

const garbage = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b));

const cases: fc.Arbitrary<AdsCase> = fc
  .record({ protocol: fc.constantFrom('delta' as const, 'sotw' as const), id: nodeId, md: nodeMetadata, rest: fc.nat({ max: 4 }), seed: fc.integer() })
  .chain(({ protocol, id, md, rest }) => {
    const req = protocol === 'delta' ? deltaRequest : sotwRequest;
    const later = fc.oneof({ weight: 4, arbitrary: req(undefined) }, { weight: 1, arbitrary: req({ id: 'default.other', md }) }, { weight: 1, arbitrary: garbage });
    return fc.tuple(fc.oneof({ weight: 6, arbitrary: req({ id, md }) }, { weight: 1, arbitrary: garbage }), fc.array(later, { maxLength: rest })).map(([first, others]) => ({
      kind: `${protocol}: malformed and out-of-order requests`,
      protocol,
      nodeId: id,
      messages: [first, ...others],
    }));
  });

describe('fuzz: ADS streams of the DP server', () => {
  let cp: Awaited<ReturnType<typeof startFuzzCp>>;
  let client: grpc.Client;
  /** Proxy resources registered by earlier streams: the CP removes them on its own schedule. */
  const registered = new Set<string>();

  beforeAll(async () => {
    cp = await startFuzzCp('zone');
    const r = await rawRequest(cp.apiPort, 'PUT', '/meshes/default/dataplanes/web-1', { 'content-type': 'application/json' }, JSON.stringify(VALID_BODIES.Dataplane!('default', 'web-1')));
    if (r.status >= 300) throw new Error(`could not create the dataplane: ${r.status} ${r.body}`);
    const ca = readFileSync(join(cp.cfg.general.workDir, 'kuma-cp.crt'));
    client = rawClient(`127.0.0.1:${cp.dpPort}`, grpc.credentials.createSsl(ca));
  });
  afterAll(async () => {
    client?.close();
    await cp?.stop();
  });

  /** The real proxy still gets its clusters on a fresh Delta stream. */
  const probe = async () => {
    const sub = Buffer.from(DeltaDiscoveryRequest.encode(DeltaDiscoveryRequest.fromPartial({ node: node('default.web-1', {}), typeUrl: XDS_TYPES[1], resourceNamesSubscribe: ['*'] })).finish());
    const r = await runStream(client, DELTA, [sub], { quietMs: 3_000, maxMs: 3_000, stopAfter: 1 });
    if (r.responses.length === 0) throw new Error(`after the case a fresh stream of default.web-1 got no clusters (status ${r.status?.code} ${r.status?.details ?? ''})`);
  };

  /** Keys a stream identified as `nodeId` may change: its own proxy resource. */
  const ownKeys = (nodeId: string) => {
    const dot = nodeId.indexOf('.');
    if (dot < 0) return [];
    const mesh = nodeId.slice(0, dot);
    const name = nodeId.slice(dot + 1);
    return [`Dataplane/${mesh}/${name}`, `ZoneIngress//${name}`, `ZoneEgress//${name}`];
  };

  it('survives malformed and out-of-order ADS requests and writes only the proxy\'s own resource', { timeout: targetTimeout(150) }, async () => {
    const t = new Target('ads');
    await t.run(cases, async (c) => {
      const before = dumpStore(cp.store, DERIVED_TYPES);
      const r = await runStream(client, c.protocol === 'delta' ? DELTA : SOTW, c.messages, { quietMs: 40 });
      await new Promise((res) => setTimeout(res, 5));
      const after = dumpStore(cp.store, DERIVED_TYPES);
      const own = ownKeys(c.nodeId);
      const changed = changedKeys(before, after);
      const outside = changed.filter((k) => !own.includes(k) && !registered.has(k));
      if (outside.length) throw new Error(`the stream changed resources that are not its proxy's: ${outside.slice(0, 5).join(', ')}`);
      for (const k of changed) if (after.has(k)) registered.add(k);
      t.count(r.status && r.status.code !== grpc.status.OK ? 'streamError' : 'accepted');
      await probe();
    });
    expect(t.finish()).toBe('');
  });
});
