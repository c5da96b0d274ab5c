// Smoke test of the generated grpc-js service definitions for KDS over a real loopback server.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeltaDiscoveryRequest,
  DeltaDiscoveryResponse,
} from '../../../proto/gen/envoy/service/discovery/v3/discovery';
import {
  GlobalKDSServiceClient,
  type GlobalKDSServiceServer,
  GlobalKDSServiceService,
  KDSSyncServiceClient,
  type KDSSyncServiceServer,
  KDSSyncServiceService,
  KumaResource,
} from '../../../proto/gen/kuma/mesh/v1alpha1/kds';
import { Mesh } from '../../../proto/gen/kuma/mesh/v1alpha1/mesh';
import { pack, unpackAs } from '../../../internal/proto/any';

let server: grpc.Server;
let address: string;
const seenMetadata: string[] = [];

beforeAll(async () => {
  server = new grpc.Server();
  const health: Pick<GlobalKDSServiceServer, 'healthCheck'> = {
    healthCheck: (_call, cb) => cb(null, { interval: { seconds: '1', nanos: 500_000_000 } }),
  };
  const sync: KDSSyncServiceServer = {
    globalToZoneSync: (call) => {
      seenMetadata.push(String(call.metadata.get('client-id')[0]));
      call.on('data', (req: DeltaDiscoveryRequest) => {
        if (req.responseNonce) return; // ACK
        call.write(
          DeltaDiscoveryResponse.fromPartial({
            typeUrl: req.typeUrl,
            nonce: 'n1',
            resources: [
              {
                name: 'default',
                resource: pack(KumaResource, {
                  meta: { name: 'default', labels: { 'kuma.io/origin': 'global' } },
                  spec: pack(Mesh, { mtls: { enabledBackend: 'ca-1' } }),
                }),
              },
            ],
          }),
        );
      });
      call.on('end', () => call.end());
    },
    zoneToGlobalSync: (call) => {
      call.write(DeltaDiscoveryRequest.fromPartial({ typeUrl: 'DataplaneInsight' }));
      call.on('data', (res: DeltaDiscoveryResponse) => {
        call.write(DeltaDiscoveryRequest.fromPartial({ typeUrl: res.typeUrl, responseNonce: res.nonce }));
        call.end();
      });
    },
  };
  server.addService(GlobalKDSServiceService, health);
  server.addService(KDSSyncServiceService, sync);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  address = `127.0.0.1:${port}`;
});

afterAll(() => {
  server?.forceShutdown();
});

describe('generated KDS services over grpc-js', () => {
  it('HealthCheck returns the interval Duration', async () => {
    const client = new GlobalKDSServiceClient(address, grpc.credentials.createInsecure());
    try {
      const res = await new Promise((resolve, reject) =>
        client.healthCheck({}, (err, r) => (err ? reject(err) : resolve(r))),
      );
      expect(res).toEqual({ interval: { seconds: '1', nanos: 500_000_000 } });
    } finally {
      client.close();
    }
  });

  it('GlobalToZoneSync: zone requests, global responds with a KumaResource', async () => {
    const client = new KDSSyncServiceClient(address, grpc.credentials.createInsecure());
    try {
      const md = new grpc.Metadata();
      md.set('client-id', 'zone-1');
      const call = client.globalToZoneSync(md);
      const res = await new Promise<DeltaDiscoveryResponse>((resolve, reject) => {
        call.on('data', resolve);
        call.on('error', reject);
        call.write(DeltaDiscoveryRequest.fromPartial({ typeUrl: 'Mesh', node: { id: 'zone-1' } }));
      });
      call.write(DeltaDiscoveryRequest.fromPartial({ typeUrl: 'Mesh', responseNonce: res.nonce }));
      call.end();
      expect(res.typeUrl).toBe('Mesh');
      const kr = unpackAs(KumaResource, res.resources[0]!.resource!);
      expect(kr.meta?.labels).toEqual({ 'kuma.io/origin': 'global' });
      expect(unpackAs(Mesh, kr.spec!).mtls?.enabledBackend).toBe('ca-1');
      expect(seenMetadata).toContain('zone-1');
    } finally {
      client.close();
    }
  });

  it('ZoneToGlobalSync: global requests, zone responds', async () => {
    const client = new KDSSyncServiceClient(address, grpc.credentials.createInsecure());
    try {
      const call = client.zoneToGlobalSync();
      const got: DeltaDiscoveryRequest[] = [];
      await new Promise<void>((resolve, reject) => {
        call.on('data', (req: DeltaDiscoveryRequest) => {
          got.push(req);
          if (!req.responseNonce) {
            call.write(DeltaDiscoveryResponse.fromPartial({ typeUrl: req.typeUrl, nonce: 'z1' }));
          }
        });
        call.on('end', resolve);
        call.on('error', reject);
      });
      call.end();
      expect(got.map((r) => [r.typeUrl, r.responseNonce])).toEqual([
        ['DataplaneInsight', ''],
        ['DataplaneInsight', 'z1'],
      ]);
    } finally {
      client.close();
    }
  });
});
