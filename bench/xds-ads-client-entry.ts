// Bundled by bench/xds.mjs (esbuild) and forked with IPC: simulated Envoys, each one Delta ADS
// stream over TLS (ALPN h2, no verification: the CP's certificate is self-signed) subscribing
// CDS, EDS, LDS and SDS with "*" and ACKing every response at once. Streams share a few channels
// (one connection each) so the bench stays far from socket limits.
//
// Parent -> child: {cmd:'start', target, names, perChannel} | {cmd:'mark', gen} | {cmd:'report'} | {cmd:'stop'}
// Child -> parent: {type:'ready'} when every stream ACKed a first response of every type;
//   {type:'marked', gen}; {type:'pushed', gen, at} when every stream ACKed a response received
//   after the mark (`at`: epoch ms of the last of those first ACKs); {type:'report', lastAt, responses}
//   (the last ACK of any response after the mark, and how many there were); {type:'error', message}.
import * as grpc from '@grpc/grpc-js';
import { AggregatedDiscoveryServiceClient } from '../proto/gen/envoy/service/discovery/v3/ads';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from '../proto/gen/envoy/service/discovery/v3/discovery';
import { DeltaDiscoveryRequest as Req } from '../proto/gen/envoy/service/discovery/v3/discovery';

const TYPES = [
  'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  'type.googleapis.com/envoy.config.listener.v3.Listener',
  'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
];

type Msg =
  | { cmd: 'start'; target: string; names: string[]; perChannel: number }
  | { cmd: 'mark'; gen: number }
  | { cmd: 'report' }
  | { cmd: 'stop' };

interface Stream {
  call: grpc.ClientDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;
  initial: Set<string>;
  ready: boolean;
  gen: number;
}

const now = () => performance.timeOrigin + performance.now();
const send = (m: unknown) => process.send!(m);

const channels: InstanceType<typeof AggregatedDiscoveryServiceClient>[] = [];
const streams: Stream[] = [];
let notReady = 0;
let gen = 0;
let pending = 0;
let firstAllAt = 0;
let lastAt = 0;
let responses = 0;
let stopping = false;

function start(target: string, names: string[], perChannel: number): void {
  const creds = grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false, checkServerIdentity: () => undefined });
  notReady = names.length;
  names.forEach((name, i) => {
    if (i % perChannel === 0) {
      // A local subchannel pool: every channel gets its own connection instead of sharing one.
      channels.push(new AggregatedDiscoveryServiceClient(target, creds, { 'grpc.use_local_subchannel_pool': 1, 'grpc.ssl_target_name_override': 'kuma-control-plane', 'grpc.max_receive_message_length': 64 * 1024 * 1024 }));
    }
    const call = channels[channels.length - 1]!.deltaAggregatedResources();
    const s: Stream = { call, initial: new Set(), ready: false, gen: 0 };
    streams.push(s);
    call.on('data', (res: DeltaDiscoveryResponse) => onResponse(s, res));
    call.on('error', (e: Error) => {
      if (!stopping) send({ type: 'error', message: `stream ${name}: ${e.message}` });
    });
    TYPES.forEach((typeUrl, t) =>
      call.write(Req.fromPartial({ ...(t === 0 ? { node: { id: `default.${name}` } } : {}), typeUrl, resourceNamesSubscribe: ['*'] })),
    );
  });
}

function onResponse(s: Stream, res: DeltaDiscoveryResponse): void {
  s.call.write(Req.fromPartial({ typeUrl: res.typeUrl, responseNonce: res.nonce }));
  const t = now();
  if (!s.ready) {
    s.initial.add(res.typeUrl);
    if (s.initial.size === TYPES.length) {
      s.ready = true;
      if (--notReady === 0) send({ type: 'ready' });
    }
  }
  if (gen === 0) return;
  responses++;
  lastAt = t;
  if (s.gen < gen) {
    s.gen = gen;
    firstAllAt = Math.max(firstAllAt, t);
    if (--pending === 0) send({ type: 'pushed', gen, at: firstAllAt });
  }
}

// The bench went away (it crashed or was killed): do not linger as an orphan holding sockets.
process.on('disconnect', () => process.exit(0));

process.on('message', (m: Msg) => {
  switch (m.cmd) {
    case 'start':
      start(m.target, m.names, m.perChannel);
      break;
    case 'mark':
      gen = m.gen;
      pending = streams.length;
      firstAllAt = 0;
      lastAt = 0;
      responses = 0;
      send({ type: 'marked', gen });
      break;
    case 'report':
      send({ type: 'report', lastAt, responses });
      break;
    case 'stop':
      stopping = true;
      for (const s of streams) s.call.cancel();
      for (const c of channels) c.close();
      process.exit(0);
  }
});
