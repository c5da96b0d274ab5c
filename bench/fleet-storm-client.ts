// Bundled (esbuild) and forked with IPC by bench/fleet-storm.mjs: simulated Envoys for the
// connection storm. Plain node:tls + node:http2 + our generated protos, no grpc-js, so every
// proxy is its own TLS connection with one ADS stream, as a real Envoy's is, and nothing pools.
//
// Each proxy subscribes as Envoy does: CDS (with the node), then EDS for the EDS clusters it got,
// then LDS once the clusters are warm; every response is ACKed at once. It is "configured" when
// its first LDS response is ACKed (and its EDS, when it has EDS clusters).
//
// Parent -> child: {cmd:'start', port, mesh, names, startAt, windowMs, offset, stride, total,
//   protocol: 'delta'|'sotw'|'mixed', token?} | {cmd:'stop'}
// For bench/fleet-full.mjs (scenarios after the first config): {cmd:'mark'} starts a measurement
//   (-> {type:'marked'}); {cmd:'collect', cluster?} -> {type:'collected', proxies: [{name, first:
//   {<type>: epoch ms of the first response after the mark}, cluster: epoch ms of the first EDS
//   response after the mark carrying that cluster}], bytes, responses} (received since the mark);
//   {cmd:'bounce', names} closes those proxies' connections and reconnects them -> {type:'bounced',
//   results} once each is configured again.
// Child -> parent: {type:'hello'} once loaded; {type:'result', results, cpuSeconds, loopDelayMs,
//   stalls} when every proxy is configured or failed; {type:'late', name, message} for an error
//   after that; {type:'stopped'}.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createSecureContext, type SecureContext } from 'node:tls';
import { connect as http2Connect, constants, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { Cluster, Cluster_DiscoveryType } from '../proto/gen/envoy/config/cluster/v3/cluster';
import { ClusterLoadAssignment } from '../proto/gen/envoy/config/endpoint/v3/endpoint';
import {
  DeltaDiscoveryRequest,
  DeltaDiscoveryResponse,
  DiscoveryRequest,
  DiscoveryResponse,
} from '../proto/gen/envoy/service/discovery/v3/discovery';

const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const EDS = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';
const LDS = 'type.googleapis.com/envoy.config.listener.v3.Listener';
const ADS = '/envoy.service.discovery.v3.AggregatedDiscoveryService/';

type Protocol = 'delta' | 'sotw';
interface StartMsg {
  cmd: 'start';
  port: number;
  mesh: string;
  names: string[];
  startAt: number;
  windowMs: number;
  /** This process's proxies are the offset-th, (offset+stride)-th... of `total`, spread over the window. */
  offset: number;
  stride: number;
  total: number;
  protocol: Protocol | 'mixed';
  token?: string;
}

/** Epoch ms, comparable across the processes of one machine. */
const now = () => performance.timeOrigin + performance.now();
const send = (m: unknown) => process.send!(m);

export interface ProxyResult {
  name: string;
  protocol: Protocol;
  /** Epoch ms: connect() called, TLS up, server SETTINGS (preface) seen, first config ACKed. */
  startedAt: number;
  secureAt?: number;
  prefaceAt?: number;
  /** Epoch ms of the first response (CDS). */
  firstResponseAt?: number;
  configuredAt?: number;
  acks: number;
  error?: string;
  /** Epoch ms of the failure; how the server ended it (RST_STREAM code, GOAWAY code), when it did. */
  failedAt?: number;
  rstCode?: number;
  goawayCode?: number;
  /** Responses received before the failure. */
  responses?: number;
}

interface Proxy {
  r: ProxyResult;
  session?: ClientHttp2Session;
  stream?: ClientHttp2Stream;
  buf: Buffer;
  /** EDS cluster names still without endpoints; undefined until CDS arrived. */
  edsPending?: Set<string>;
  edsNames: string[];
  ldsAsked: boolean;
  ldsAcked: boolean;
  done: boolean;
  /** Since the last mark: first response per type, first EDS response per cluster. */
  first: Record<string, number>;
  clusters: Map<string, number>;
  /** Closed on purpose (bounce): its close is not an error. */
  bouncing?: boolean;
}

const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();
/** Stalls of this process's event loop over a second: [epoch ms when it ended, ms]. */
const stalls: [number, number][] = [];
let lastTick = now();
setInterval(() => {
  const t = now();
  if (t - lastTick > 1100) stalls.push([Math.round(t), Math.round(t - lastTick - 100)]);
  lastTick = t;
}, 100).unref();

let bytesSinceMark = 0;
let responsesSinceMark = 0;

const proxies: Proxy[] = [];
let remaining = 0;
let reported = false;
let stopping = false;

function frame(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + bytes.length);
  out[0] = 0;
  out.writeUInt32BE(bytes.length, 1);
  out.set(bytes, 5);
  return out;
}

function request(p: Proxy, typeUrl: string, opts: { names?: string[]; nonce?: string; version?: string; node?: boolean; mesh: string }): void {
  const node = opts.node ? { id: `${opts.mesh}.${p.r.name}`, cluster: p.r.name, metadata: { version: { kumaDp: { version: 'storm' } } } } : undefined;
  const bytes =
    p.r.protocol === 'delta'
      ? DeltaDiscoveryRequest.encode(
          DeltaDiscoveryRequest.fromPartial({ node, typeUrl, resourceNamesSubscribe: opts.names ?? [], responseNonce: opts.nonce ?? '' }),
        ).finish()
      : DiscoveryRequest.encode(
          DiscoveryRequest.fromPartial({ node, typeUrl, resourceNames: opts.names ?? [], responseNonce: opts.nonce ?? '', versionInfo: opts.version ?? '' }),
        ).finish();
  p.stream!.write(frame(bytes));
}

function finish(p: Proxy, error?: string): void {
  if (p.done) {
    if (error && !stopping) send({ type: 'late', name: p.r.name, message: error });
    return;
  }
  p.done = true;
  if (error) {
    p.r.error = error;
    p.r.failedAt = now();
    // Set by node when the stream closed; a RST_STREAM and a torn-down connection look alike otherwise.
    if (p.stream?.rstCode !== undefined) p.r.rstCode = p.stream.rstCode;
  } else p.r.configuredAt = now();
  if (--remaining === 0) onAllDone();
}

let onAllDone = () => report();

function report(): void {
  if (reported) return;
  reported = true;
  const cpu = process.cpuUsage();
  // How long this process's event loop was stalled: a stalled client answers nothing, not even PINGs.
  const loopDelayMs = { p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) };
  send({ type: 'result', results: proxies.map((p) => p.r), cpuSeconds: (cpu.user + cpu.system) / 1e6, loopDelayMs, stalls });
}

/** What a response (either protocol) carries, reduced to what the subscription sequence needs. */
interface Response {
  typeUrl: string;
  nonce: string;
  version: string;
  /** [name, Any value] of every resource. */
  resources: [string, Uint8Array | undefined][];
}

function decode(p: Proxy, msg: Uint8Array): Response {
  if (p.r.protocol === 'delta') {
    const res = DeltaDiscoveryResponse.decode(msg);
    return { typeUrl: res.typeUrl, nonce: res.nonce, version: res.systemVersionInfo, resources: res.resources.map((r) => [r.name, r.resource?.value]) };
  }
  const res = DiscoveryResponse.decode(msg);
  // SotW resources are bare Anys; only CDS needs their content (the cluster's name and type).
  return { typeUrl: res.typeUrl, nonce: res.nonce, version: res.versionInfo, resources: res.resources.map((a) => ['', a.value]) };
}

function onMessage(p: Proxy, mesh: string, msg: Uint8Array): void {
  const res = decode(p, msg);
  const at = now();
  bytesSinceMark += msg.length + 5;
  responsesSinceMark++;
  const short = res.typeUrl === CDS ? 'CDS' : res.typeUrl === EDS ? 'EDS' : res.typeUrl === LDS ? 'LDS' : res.typeUrl.split('.').pop()!;
  p.first[short] ??= at;
  p.r.responses = (p.r.responses ?? 0) + 1;
  p.r.firstResponseAt ??= at;
  if (res.typeUrl === EDS) {
    for (const [name, value] of res.resources) {
      // SotW EDS carries no names outside the Any: decode the cluster name only when asked for one
      const cluster = name || (value && watchedCluster ? ClusterLoadAssignment.decode(value).clusterName : '');
      if (cluster && !p.clusters.has(cluster)) p.clusters.set(cluster, at);
    }
  }
  const ack = { nonce: res.nonce, version: res.version, mesh };
  switch (res.typeUrl) {
    case CDS: {
      request(p, CDS, ack);
      p.r.acks++;
      if (p.edsPending) return; // a later CDS push: the first config is what we measure
      p.edsNames = [];
      for (const [, value] of res.resources) {
        if (!value) continue;
        const c = Cluster.decode(value);
        const t = c.clusterDiscoveryType;
        if (t?.$case === 'type' && t.value === Cluster_DiscoveryType.EDS) p.edsNames.push(c.edsClusterConfig?.serviceName || c.name);
      }
      p.edsPending = new Set(p.edsNames);
      if (p.edsNames.length) request(p, EDS, { names: p.edsNames, mesh });
      else askLds(p, mesh);
      return;
    }
    case EDS: {
      // SotW repeats the subscription in the ACK; Delta's subscription stands.
      request(p, EDS, { ...ack, names: p.r.protocol === 'sotw' ? p.edsNames : [] });
      p.r.acks++;
      if (p.r.protocol === 'delta') for (const [name] of res.resources) p.edsPending?.delete(name);
      else p.edsPending?.clear(); // SotW EDS answers with every subscribed name that exists
      if (p.edsPending?.size === 0) askLds(p, mesh);
      return;
    }
    case LDS:
      request(p, LDS, ack);
      p.r.acks++;
      if (!p.ldsAcked) {
        p.ldsAcked = true;
        finish(p);
      }
      return;
    default:
      request(p, res.typeUrl, ack);
      p.r.acks++;
  }
}

function askLds(p: Proxy, mesh: string): void {
  if (p.ldsAsked) return;
  p.ldsAsked = true;
  request(p, LDS, { mesh });
}

let tlsContext: SecureContext | undefined;
/** One TLS context for every connection, as Envoy keeps one per cluster: building one per connection doubled the synchronous cost of an open. */
const secureContext = () => (tlsContext ??= createSecureContext({}));

function open(p: Proxy, m: StartMsg): void {
  // The bounced connection's late events are told apart by `p.session` from here on.
  p.bouncing = false;
  p.r.startedAt = now();
  const session = http2Connect(`https://127.0.0.1:${m.port}`, {
    // The CP's certificate is self-signed; the storm is about load, not trust.
    rejectUnauthorized: false,
    secureContext: secureContext(),
    servername: 'localhost',
  });
  p.session = session;
  // Events of a connection closed on purpose (bounce) arrive late, maybe after its replacement opened.
  const live = () => p.session === session && !p.bouncing;
  session.on('error', (e) => live() && finish(p, `session: ${e.message}`));
  session.on('goaway', (code) => live() && (p.r.goawayCode = code));
  session.on('close', () => live() && finish(p, 'the connection closed'));
  session.socket.once('secureConnect', () => (p.r.secureAt = now()));
  session.once('remoteSettings', () => (p.r.prefaceAt ??= now()));
  const stream = session.request({
    [constants.HTTP2_HEADER_METHOD]: 'POST',
    [constants.HTTP2_HEADER_PATH]: ADS + (p.r.protocol === 'delta' ? 'DeltaAggregatedResources' : 'StreamAggregatedResources'),
    [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
    te: 'trailers',
    ...(m.token ? { authorization: `Bearer ${m.token}` } : {}),
  });
  p.stream = stream;
  const ended = (h: Record<string, unknown>) => live() && finish(p, `stream ended: grpc-status ${h['grpc-status']} ${decodeURIComponent(String(h['grpc-message'] ?? ''))}`);
  stream.on('response', (h) => {
    if (Number(h[constants.HTTP2_HEADER_STATUS]) !== 200) finish(p, `HTTP status ${h[constants.HTTP2_HEADER_STATUS]}`);
    else if (h['grpc-status'] !== undefined) ended(h); // a trailers-only response: refused at once
  });
  stream.on('trailers', ended);
  stream.on('end', () => live() && finish(p, 'the server ended the stream'));
  stream.on('error', (e) => live() && finish(p, `stream: ${e.message}`));
  stream.on('close', () => live() && finish(p, 'the stream closed'));
  stream.on('data', (chunk: Buffer) => {
    if (p.session !== session) return;
    p.buf = p.buf.length ? Buffer.concat([p.buf, chunk]) : chunk;
    while (p.buf.length >= 5) {
      const len = p.buf.readUInt32BE(1);
      if (p.buf.length < 5 + len) break;
      const msg = p.buf.subarray(5, 5 + len);
      p.buf = p.buf.subarray(5 + len);
      try {
        onMessage(p, m.mesh, msg);
      } catch (e) {
        finish(p, `bad response: ${(e as Error).message}`);
      }
    }
  });
  request(p, CDS, { node: true, mesh: m.mesh });
}

function start(m: StartMsg): void {
  remaining = m.names.length;
  if (!remaining) return report();
  m.names.forEach((name, i) => {
    const protocol: Protocol = m.protocol === 'mixed' ? (i % 2 ? 'sotw' : 'delta') : m.protocol;
    const p: Proxy = { r: { name, protocol, startedAt: 0, acks: 0 }, buf: Buffer.alloc(0), edsNames: [], ldsAsked: false, ldsAcked: false, done: false, first: {}, clusters: new Map() };
    proxies.push(p);
    // The i-th proxy of this process is the (offset + i*stride)-th of the whole storm.
    scheduleOpen(p, m, m.startAt + ((m.offset + i * m.stride) / m.total) * m.windowMs);
  });
}

/**
 * Connections opened in one macrotask at most. One timer per proxy let every connection that fell
 * due while the process was busy open in a single timers phase: 2500 opens (TLS + HTTP/2 setup,
 * ~0.5 ms each, several times that on a shared machine) stalled the loop for up to 18 s, and a
 * stalled process answers no HTTP/2 PING, so the DP server's keepalive (20 s timeout) cut proxies
 * off mid-config ("the server ended the stream"). A real Envoy answers PINGs on its own thread.
 */
const OPEN_SLICE = 8;
/** Proxies waiting to connect, by due time. */
const openQueue: { p: Proxy; m: StartMsg; at: number }[] = [];
let pumpPending = false;

function scheduleOpen(p: Proxy, m: StartMsg, at: number): void {
  let i = openQueue.length;
  while (i > 0 && openQueue[i - 1]!.at > at) i--;
  openQueue.splice(i, 0, { p, m, at });
  if (!pumpPending) schedulePump();
}

function schedulePump(): void {
  const next = openQueue[0];
  if (!next) return;
  pumpPending = true;
  const wait = next.at - now();
  // setImmediate runs after the poll phase: handshakes, responses and PINGs are served between slices.
  if (wait <= 0) setImmediate(pump);
  else setTimeout(pump, wait);
}

function pump(): void {
  pumpPending = false;
  for (let n = 0; n < OPEN_SLICE && openQueue.length && openQueue[0]!.at <= now(); n++) {
    const { p, m } = openQueue.shift()!;
    if (!stopping) open(p, m);
  }
  schedulePump();
}

// The bench went away (it crashed or was killed): do not linger as an orphan holding sockets.
process.on('disconnect', () => process.exit(0));

let startMsg: StartMsg | undefined;
let watchedCluster = '';

/** Closes the named proxies' connections and opens them again, as a CP restart or a network blip would. */
function bounce(names: string[]): void {
  const set = new Set(names);
  const again = proxies.filter((p) => set.has(p.r.name));
  remaining = again.length;
  reported = false;
  if (!remaining) return void send({ type: 'bounced', results: [] });
  const reportBounce = () => send({ type: 'bounced', results: again.map((p) => p.r) });
  for (const p of again) {
    p.bouncing = true;
    p.session?.destroy();
    Object.assign(p, { buf: Buffer.alloc(0), edsPending: undefined, edsNames: [], ldsAsked: false, ldsAcked: false, done: false });
    p.r = { name: p.r.name, protocol: p.r.protocol, startedAt: 0, acks: 0 };
  }
  const prevFinish = onAllDone;
  onAllDone = () => {
    onAllDone = prevFinish;
    reportBounce();
  };
  const at = now() + 50;
  for (const p of again) scheduleOpen(p, startMsg!, at);
}

type Cmd = StartMsg | { cmd: 'stop' } | { cmd: 'mark' } | { cmd: 'collect'; cluster?: string } | { cmd: 'bounce'; names: string[] } | { cmd: 'watch'; cluster: string };

process.on('message', (m: Cmd) => {
  if (m.cmd === 'start') {
    startMsg = m;
    return start(m);
  }
  if (m.cmd === 'watch') {
    watchedCluster = m.cluster;
    return;
  }
  if (m.cmd === 'mark') {
    for (const p of proxies) {
      p.first = {};
      p.clusters = new Map();
    }
    bytesSinceMark = 0;
    responsesSinceMark = 0;
    return send({ type: 'marked' });
  }
  if (m.cmd === 'collect') {
    return send({
      type: 'collected',
      proxies: proxies.map((p) => ({ name: p.r.name, first: p.first, ...(m.cluster ? { cluster: p.clusters.get(m.cluster) } : {}) })),
      bytes: bytesSinceMark,
      responses: responsesSinceMark,
    });
  }
  if (m.cmd === 'bounce') return bounce(m.names);
  stopping = true;
  for (const p of proxies) p.session?.close();
  send({ type: 'stopped' });
  setTimeout(() => process.exit(0), 200);
});
send({ type: 'hello' });
