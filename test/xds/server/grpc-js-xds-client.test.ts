// An independent xDS client: @grpc/grpc-js-xds (proxyless gRPC, SotW ADS only) resolves
// xds:///svc.test through our ADS server (LDS api_listener -> RDS -> CDS -> EDS) and calls a
// plain grpc-js echo backend. grpc-js-xds must share our single @grpc/grpc-js instance; tests are
// not bundled, so both resolve node_modules/@grpc/grpc-js.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotCache } from '../../../internal/xds/cache/snapshot-cache';
import { snapshotFromResources } from '../../../internal/xds/cache/snapshot-resources';
import { apiListener, edsCluster, loadAssignment, routeConfig, tcpListener, xdsResources } from '../fixtures';
import { RecordingCallbacks, type RunningAds, startAds } from './ads-harness';

const NODE = 'test-node-1';

interface EchoMessage {
  msg: string;
  from?: string;
}
const json = {
  serialize: (v: EchoMessage) => Buffer.from(JSON.stringify(v)),
  deserialize: (b: Buffer): EchoMessage => JSON.parse(b.toString()),
};
const echoService = {
  say: {
    path: '/test.Echo/Say',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
} satisfies grpc.ServiceDefinition;
const EchoClient = grpc.makeGenericClientConstructor(echoService, 'Echo');

let backend: grpc.Server;
let backendPort: number;
let ads: RunningAds;
let cache: SnapshotCache;
const callbacks = new RecordingCallbacks();

function say(client: grpc.Client, msg: string, deadlineMs: number): Promise<EchoMessage> {
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      echoService.say.path,
      echoService.say.requestSerialize,
      echoService.say.responseDeserialize,
      { msg },
      new grpc.Metadata({ waitForReady: true }),
      { deadline: Date.now() + deadlineMs },
      (err, res) => (err ? reject(err) : resolve(res!)),
    ),
  );
}

beforeAll(async () => {
  backend = new grpc.Server();
  backend.addService(echoService, {
    say: (call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, cb: grpc.sendUnaryData<EchoMessage>) =>
      cb(null, { msg: call.request.msg, from: 'backend' }),
  });
  backendPort = await new Promise<number>((resolve, reject) =>
    backend.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );

  cache = new SnapshotCache({ versionPrefix: 'v' });
  ads = await startAds({ cache, callbacks });
  cache.setSnapshot(
    NODE,
    snapshotFromResources(
      xdsResources({
        listeners: [apiListener('svc.test', 'rc-svc'), tcpListener('bad.test', 9000, 'c-echo')],
        routes: [routeConfig('rc-svc', 'svc.test', 'c-echo')],
        clusters: [edsCluster('c-echo')],
        endpoints: [loadAssignment('c-echo', [backendPort])],
      }),
    ),
  );

  // The bootstrap is read once, on the first xds: channel.
  process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify({
    xds_servers: [{ server_uri: ads.address, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: { id: NODE, cluster: 'test', locality: { zone: 'z' } },
  });
  const xds = await import('@grpc/grpc-js-xds');
  xds.register();
});

afterAll(() => {
  ads?.stop();
  backend?.forceShutdown();
});

describe('@grpc/grpc-js-xds as an independent xDS client of our ADS server', () => {
  it('resolves xds:///svc.test through LDS -> RDS -> CDS -> EDS and calls the backend', async () => {
    const client = new EchoClient('xds:///svc.test', grpc.credentials.createInsecure());
    try {
      const reply = await say(client, 'via-xds', 5000);
      expect(reply).toEqual({ msg: 'via-xds', from: 'backend' });
    } finally {
      client.close();
    }
    const requests = callbacks.events.filter((e) => e.startsWith('request '));
    expect(requests.map((e) => e.split(' ')[1])).toEqual(['LDS', 'RDS', 'CDS', 'EDS']);
    expect(callbacks.events.filter((e) => e.startsWith('nack'))).toEqual([]);
    for (const type of ['LDS', 'RDS', 'CDS', 'EDS']) {
      expect(callbacks.events).toContain(`ack ${type} ${cache.getSnapshot(NODE)!.version(typeUrlOf(type))} from ${NODE}`);
    }
  });

  it('a listener proxyless gRPC cannot use is NACKed, and the NACK reaches the callbacks', async () => {
    const client = new EchoClient('xds:///bad.test', grpc.credentials.createInsecure());
    try {
      await expect(say(client, 'never', 1500)).rejects.toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
    } finally {
      client.close();
    }
    const nacks = callbacks.events.filter((e) => e.startsWith('nack LDS'));
    expect(nacks.length).toBeGreaterThan(0);
    expect(nacks[0]).toContain('Unexpected value of filters[0].typed_config.type_url: type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy');
  });
});

function typeUrlOf(short: string): string {
  const urls: Record<string, string> = {
    LDS: 'type.googleapis.com/envoy.config.listener.v3.Listener',
    RDS: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
    CDS: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
    EDS: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  };
  return urls[short];
}
