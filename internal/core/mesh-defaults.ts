/**
 * The four policies created with every new Mesh (Kuma 2.6-2.14 pkg/defaults/mesh: two
 * MeshTimeouts, sidecars and gateways, a MeshCircuitBreaker and a MeshRetry):
 * names suffixed with the mesh; `skipCreatingInitialPolicies` (type names or
 * "*") suppresses them. Pure: the manager writes them in the Mesh's transaction.
 */
import type { ResourceInput, Spec } from '../resources/model';

function defaults(mesh: string): ResourceInput[] {
  const m = (type: string, name: string, spec: Spec): ResourceInput => ({ type, mesh, name: `${name}-${mesh}`, labels: { 'kuma.io/mesh': mesh }, spec });
  return [
    m('MeshTimeout', 'mesh-timeout-all', {
      targetRef: { kind: 'Mesh', proxyTypes: ['Sidecar'] },
      to: [{ targetRef: { kind: 'Mesh' }, default: { connectionTimeout: '5s', idleTimeout: '1h', http: { requestTimeout: '15s', streamIdleTimeout: '30m' } } }],
      from: [
        {
          targetRef: { kind: 'Mesh' },
          default: { connectionTimeout: '10s', idleTimeout: '2h', http: { requestTimeout: '0s', streamIdleTimeout: '1h', maxStreamDuration: '0s' } },
        },
      ],
    }),
    // Gateways face clients directly: short idle and header timeouts bound slow or stalled downstreams.
    m('MeshTimeout', 'mesh-gateways-timeout-all', {
      targetRef: { kind: 'Mesh', proxyTypes: ['Gateway'] },
      from: [{ targetRef: { kind: 'Mesh' }, default: { idleTimeout: '5m', http: { streamIdleTimeout: '5s', requestHeadersTimeout: '500ms' } } }],
      to: [{ targetRef: { kind: 'Mesh' }, default: { idleTimeout: '1h', http: { streamIdleTimeout: '5s' } } }],
    }),
    m('MeshCircuitBreaker', 'mesh-circuit-breaker-all', {
      targetRef: { kind: 'Mesh' },
      to: [{ targetRef: { kind: 'Mesh' }, default: { connectionLimits: { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 } } }],
    }),
    m('MeshRetry', 'mesh-retry-all', {
      targetRef: { kind: 'Mesh' },
      to: [
        {
          targetRef: { kind: 'Mesh' },
          default: {
            tcp: { maxConnectAttempt: 5 },
            http: { numRetries: 5, perTryTimeout: '16s', backOff: { baseInterval: '25ms', maxInterval: '250ms' } },
            grpc: { numRetries: 5, perTryTimeout: '16s', backOff: { baseInterval: '25ms', maxInterval: '250ms' } },
          },
        },
      ],
    }),
  ];
}

export function defaultMeshPolicies(mesh: string, meshSpec: Spec): ResourceInput[] {
  const skip = Array.isArray(meshSpec.skipCreatingInitialPolicies) ? (meshSpec.skipCreatingInitialPolicies as string[]) : [];
  if (skip.includes('*')) return [];
  return defaults(mesh).filter((r) => !skip.includes(r.type));
}
