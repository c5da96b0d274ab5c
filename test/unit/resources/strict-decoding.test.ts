/**
 * Strict decoding per type: a full example of every type (every message of
 * it, including fields our generators ignore) decodes with no unknown field;
 * an unknown field at the top level and one nested deep are each reported
 * by their JSON path.
 */
import { describe, expect, it } from 'vitest';
import { defaultMeshPolicies } from '../../../internal/core/mesh-defaults';
import { fromRest, parseYamlDocuments, toRest } from '../../../internal/resources/codec';
import { ALL_TYPES, registerAll } from '../../../internal/resources/types';

const registry = registerAll();

interface Case {
  yaml: string;
  /** Fields that the first example cannot hold at the same time (one-of rules). */
  alt?: string;
  /** Where to add `bogus: 1` (object keys and list indexes), and the path expected in the error. */
  nested: [(string | number)[], string];
}

const CASES: Record<string, Case> = {
  Mesh: {
    yaml: `type: Mesh
name: m
skipCreatingInitialPolicies: ['*']
mtls:
  enabledBackend: ca-1
  skipValidation: false
  backends:
  - name: ca-1
    type: builtin
    mode: STRICT
    dpCert: { rotation: { expiration: 24h }, requestTimeout: 10s }
    rootChain: { requestTimeout: 10s }
    conf: { caCert: { RSAbits: 2048, expiration: 10y }, free_form_key: { any_thing: 1 } }
tracing:
  defaultBackend: zipkin
  backends: [{ name: zipkin, type: zipkin, sampling: 100.0, conf: { url: http://zipkin:9411/api/v2/spans } }]
logging:
  defaultBackend: file
  backends: [{ name: file, type: file, format: '%START_TIME%', conf: { path: /tmp/log } }]
metrics:
  enabledBackend: prom
  backends: [{ name: prom, type: prometheus, conf: { port: 5670, path: /metrics, skipMTLS: true } }]
networking: { outbound: { passthrough: true } }
routing: { localityAwareLoadBalancing: true, zoneEgress: false, defaultForbidMeshExternalServiceAccess: false }
constraints:
  dataplaneProxy:
    requirements: [{ tags: { kuma.io/zone: east } }]
    restrictions: [{ tags: { version: v0 } }]
meshServices: { mode: Exclusive }
`,
    nested: [['mtls', 'backends', 0, 'dpCert', 'rotation'], 'mtls.backends[0].dpCert.rotation.bogus'],
  },
  Dataplane: {
    yaml: `type: Dataplane
mesh: default
name: dp-1
networking:
  address: 10.0.0.1
  advertisedAddress: 1.2.3.4
  inbound:
  - port: 8080
    servicePort: 80
    serviceAddress: 127.0.0.1
    address: 10.0.0.1
    name: http
    protocol: http
    state: Ready
    tags: { kuma.io/service: web, kuma.io/protocol: http, team_name: a }
    health: { ready: true }
    serviceProbe: { interval: 1s, timeout: 1s, unhealthyThreshold: 3, healthyThreshold: 1, tcp: {} }
  outbound:
  - port: 10001
    address: 127.0.0.1
    tags: { kuma.io/service: backend }
  - port: 10002
    backendRef: { kind: MeshService, name: db, port: 5432, labels: { app: db } }
  transparentProxying:
    redirectPortInbound: 15006
    redirectPortOutbound: 15001
    directAccessServices: ['*']
    reachableServices: [backend]
    ipFamilyMode: DualStack
    reachableBackends: { refs: [{ kind: MeshService, name: db, namespace: ns, port: 5432 }, { kind: MeshService, labels: { a: b } }] }
  admin: { port: 9901 }
  listeners: [{ type: Transparent, address: 10.0.0.1, port: 15001, name: tp, state: Ready }]
metrics: { name: prom, type: prometheus, conf: { port: 1234 } }
probes: { port: 9000, endpoints: [{ inboundPort: 8080, inboundPath: /health, path: /8080/health }] }
`,
    nested: [['networking', 'inbound', 0], 'networking.inbound[0].bogus'],
    alt: 'type: Dataplane\nmesh: default\nname: gw\nnetworking: { address: 10.0.0.1, gateway: { type: DELEGATED, tags: { kuma.io/service: gw } } }\n',
  },
  ZoneIngress: {
    yaml: `type: ZoneIngress
name: zi
zone: east
networking: { address: 10.0.0.1, advertisedAddress: 1.2.3.4, port: 10001, advertisedPort: 10001, admin: { port: 9902 } }
availableServices: [{ tags: { kuma.io/service: web }, instances: 2, mesh: default, externalService: false }]
`,
    nested: [['availableServices', 0], 'availableServices[0].bogus'],
  },
  ZoneEgress: {
    yaml: `type: ZoneEgress
name: ze
zone: east
networking: { address: 10.0.0.1, port: 10002, admin: { port: 9903 } }
`,
    nested: [['networking', 'admin'], 'networking.admin.bogus'],
  },
  Zone: { yaml: 'type: Zone\nname: east\nenabled: true\n', nested: [[], 'bogus'] },
  ExternalService: {
    yaml: `type: ExternalService
mesh: default
name: httpbin
tags: { kuma.io/service: httpbin, kuma.io/protocol: http }
networking:
  address: httpbin.org:443
  disableHostDNSEntry: false
  tls:
    enabled: true
    allowRenegotiation: false
    skipHostnameVerification: false
    serverName: httpbin.org
    caCert: { inlineString: abc }
    clientCert: { secret: cert }
    clientKey: { file: /key.pem }
`,
    nested: [['networking', 'tls', 'caCert'], 'networking.tls.caCert.bogus'],
  },
  Secret: { yaml: 'type: Secret\nmesh: default\nname: s\ndata: aGVsbG8=\n', nested: [[], 'bogus'] },
  GlobalSecret: { yaml: 'type: GlobalSecret\nname: s\ndata: aGVsbG8=\n', nested: [[], 'bogus'] },
  TrafficPermission: {
    yaml: `type: TrafficPermission
mesh: default
name: tp
sources: [{ match: { kuma.io/service: '*' } }]
destinations: [{ match: { kuma.io/service: '*' } }]
`,
    nested: [['sources', 0], 'sources[0].bogus'],
  },
  TrafficRoute: {
    yaml: `type: TrafficRoute
mesh: default
name: tr
sources: [{ match: { kuma.io/service: '*' } }]
destinations: [{ match: { kuma.io/service: '*' } }]
conf:
  split: [{ weight: 100, destination: { kuma.io/service: backend, version: v1 } }]
  loadBalancer: { ringHash: { hashFunction: XX_HASH, minRingSize: 64, maxRingSize: 1024 } }
  http:
  - match:
      method: { exact: GET }
      path: { prefix: /api }
      headers: { x-custom_header: { regex: '.*' } }
    modify:
      path: { regex: { pattern: '^/api', substitution: '/' } }
      host: { fromPath: { pattern: '(.*)', substitution: '\\1' } }
      requestHeaders: { add: [{ name: x-a, value: b, append: true }], remove: [{ name: x-c }] }
      responseHeaders: { add: [{ name: x-d, value: e }] }
    destination: { kuma.io/service: api }
`,
    nested: [['conf', 'http', 0, 'match', 'method'], 'conf.http[0].match.method.bogus'],
    alt: `type: TrafficRoute
mesh: default
name: tr
sources: [{ match: { kuma.io/service: '*' } }]
destinations: [{ match: { kuma.io/service: '*' } }]
conf:
  destination: { kuma.io/service: backend }
  loadBalancer: { leastRequest: { choiceCount: 2 } }
  http: [{ match: { path: { prefix: /a } }, split: [{ weight: 1, destination: { kuma.io/service: a } }], modify: { path: { rewritePrefix: /b }, host: { value: h } } }]
`,
  },
  HealthCheck: {
    yaml: `type: HealthCheck
mesh: default
name: hc
sources: [{ match: { kuma.io/service: '*' } }]
destinations: [{ match: { kuma.io/service: '*' } }]
conf:
  interval: 10s
  timeout: 2s
  unhealthyThreshold: 3
  healthyThreshold: 1
  initialJitter: 1s
  intervalJitter: 1s
  intervalJitterPercent: 10
  healthyPanicThreshold: 50
  failTrafficOnPanic: true
  eventLogPath: /tmp/hc.log
  alwaysLogHealthCheckFailures: true
  noTrafficInterval: 1m
  reuseConnection: false
  http:
    path: /health
    expectedStatuses: [200]
    requestHeadersToAdd: [{ header: { key: x-a, value: b }, append: false }]
`,
    nested: [['conf', 'http', 'requestHeadersToAdd', 0, 'header'], 'conf.http.requestHeadersToAdd[0].header.bogus'],
    alt: `type: HealthCheck
mesh: default
name: hc
sources: [{ match: { kuma.io/service: '*' } }]
destinations: [{ match: { kuma.io/service: '*' } }]
conf: { interval: 10s, timeout: 2s, unhealthyThreshold: 3, healthyThreshold: 1, tcp: { send: Zm9v, receive: [YmFy] } }
`,
  },
  CircuitBreaker: {
    yaml: `type: CircuitBreaker
mesh: default
name: cb
sources: [{ match: { kuma.io/service: '*' } }]
destinations: [{ match: { kuma.io/service: '*' } }]
conf:
  interval: 5s
  baseEjectionTime: 30s
  maxEjectionPercent: 20
  splitExternalAndLocalErrors: false
  thresholds: { maxConnections: 2, maxPendingRequests: 2, maxRequests: 2, maxRetries: 2 }
  detectors:
    totalErrors: { consecutive: 20 }
    gatewayErrors: { consecutive: 10 }
    localErrors: { consecutive: 7 }
    standardDeviation: { requestVolume: 10, minimumHosts: 5, factor: 1.9 }
    failure: { requestVolume: 10, minimumHosts: 5, threshold: 85 }
`,
    nested: [['conf', 'detectors', 'failure'], 'conf.detectors.failure.bogus'],
  },
  Retry: {
    yaml: `type: Retry
mesh: default
name: r
sources: [{ match: { kuma.io/service: '*' } }]
destinations: [{ match: { kuma.io/service: '*' } }]
conf:
  http:
    numRetries: 5
    perTryTimeout: 200ms
    backOff: { baseInterval: 20ms, maxInterval: 1s }
    retriableStatusCodes: [500, 504]
    retriableMethods: [GET]
    retryOn: [all_5xx]
  grpc: { retryOn: [cancelled], numRetries: 5, perTryTimeout: 200ms, backOff: { baseInterval: 20ms, maxInterval: 1s } }
  tcp: { maxConnectAttempts: 3 }
`,
    nested: [['conf', 'grpc', 'backOff'], 'conf.grpc.backOff.bogus'],
  },
  Timeout: {
    yaml: `type: Timeout
mesh: default
name: t
sources: [{ match: { kuma.io/service: '*' } }]
destinations: [{ match: { kuma.io/service: '*' } }]
conf:
  connectTimeout: 5s
  tcp: { idleTimeout: 1h }
  http: { requestTimeout: 15s, idleTimeout: 1h, streamIdleTimeout: 30m, maxStreamDuration: 30m }
  grpc: { streamIdleTimeout: 5m, maxStreamDuration: 30m }
`,
    nested: [['conf', 'tcp'], 'conf.tcp.bogus'],
  },
  FaultInjection: {
    yaml: `type: FaultInjection
mesh: default
name: fi
sources: [{ match: { kuma.io/service: web } }]
destinations: [{ match: { kuma.io/service: backend, kuma.io/protocol: http } }]
conf:
  delay: { percentage: 50, value: 5s }
  abort: { percentage: 10.5, httpStatus: 503 }
  responseBandwidth: { percentage: 100, limit: 50kbps }
`,
    nested: [['conf', 'abort'], 'conf.abort.bogus'],
  },
  RateLimit: {
    yaml: `type: RateLimit
mesh: default
name: rl
sources: [{ match: { kuma.io/service: web } }]
destinations: [{ match: { kuma.io/service: backend } }]
conf:
  http:
    requests: 5
    interval: 10s
    onRateLimit: { status: 423, headers: [{ key: x-limited, value: 'yes', append: true }] }
`,
    nested: [['conf', 'http', 'onRateLimit'], 'conf.http.onRateLimit.bogus'],
  },
  VirtualOutbound: {
    yaml: `type: VirtualOutbound
mesh: default
name: vo
selectors: [{ match: { kuma.io/service: '*' } }]
conf:
  host: '{{.svc}}.mesh'
  port: '{{.port}}'
  parameters: [{ name: svc, tagKey: kuma.io/service }, { name: port }]
`,
    nested: [['conf', 'parameters', 1], 'conf.parameters[1].bogus'],
  },
  MeshTrafficPermission: {
    yaml: `type: MeshTrafficPermission
mesh: default
name: mtp
labels: { team: a }
spec:
  targetRef: { kind: Dataplane, labels: { app: web }, sectionName: http }
  rules:
  - default:
      allow: [{ spiffeID: { type: Exact, value: 'spiffe://default/web' } }]
      deny: [{ spiffeID: { type: Prefix, value: 'spiffe://other/' } }]
      allowWithShadowDeny: [{ spiffeID: { type: Prefix, value: 'spiffe://x/' } }]
`,
    nested: [['spec', 'rules', 0, 'default', 'allow', 0, 'spiffeID'], 'spec.rules[0].default.allow[0].spiffeID.bogus'],
    alt: 'type: MeshTrafficPermission\nmesh: default\nname: mtp\nspec:\n  from: [{ targetRef: { kind: MeshSubset, tags: { kuma.io/zone: east } }, default: { action: AllowWithShadowDeny } }]\n',
  },
  MeshRetry: {
    yaml: `type: MeshRetry
mesh: default
name: mr
spec:
  targetRef: { kind: Mesh, proxyTypes: [Sidecar] }
  to:
  - targetRef: { kind: MeshService, name: backend, namespace: ns, sectionName: http }
    default:
      tcp: { maxConnectAttempt: 5 }
      http:
        numRetries: 5
        perTryTimeout: 16s
        backOff: { baseInterval: 25ms, maxInterval: 250ms }
        rateLimitedBackOff: { maxInterval: 10s, resetHeaders: [{ name: retry-after, format: Seconds }] }
        retryOn: [5xx, '503']
        retriableResponseHeaders: [{ type: Exact, name: x-retry, value: 'yes' }]
        retriableRequestHeaders: [{ type: Prefix, name: x-req, value: a }]
        hostSelection: [{ predicate: OmitHostsWithTags, tags: { version: v1 } }, { predicate: OmitPreviousPriorities, updateFrequency: 2 }]
        hostSelectionMaxAttempts: 3
      grpc:
        numRetries: 5
        perTryTimeout: 16s
        backOff: { baseInterval: 25ms, maxInterval: 250ms }
        rateLimitedBackOff: { maxInterval: 10s, resetHeaders: [{ name: retry-after, format: UnixTimestamp }] }
        retryOn: [Canceled]
`,
    nested: [['spec', 'to', 0, 'default', 'http', 'rateLimitedBackOff', 'resetHeaders', 0], 'spec.to[0].default.http.rateLimitedBackOff.resetHeaders[0].bogus'],
  },
  MeshTimeout: {
    yaml: `type: MeshTimeout
mesh: default
name: mt
spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: Mesh }
    default:
      connectionTimeout: 5s
      idleTimeout: 1h
      http: { requestTimeout: 15s, streamIdleTimeout: 30m, maxStreamDuration: 0s, maxConnectionDuration: 0s, requestHeadersTimeout: 1s }
  rules:
  - matches: [{ spiffeID: { type: Exact, value: 'spiffe://default/web' } }]
    default: { connectionTimeout: 10s }
`,
    nested: [['spec', 'to', 0, 'default'], 'spec.to[0].default.bogus'],
    alt: 'type: MeshTimeout\nmesh: default\nname: mt\nspec:\n  from: [{ targetRef: { kind: Mesh }, default: { idleTimeout: 2h, http: { requestTimeout: 0s } } }]\n',
  },
  MeshCircuitBreaker: {
    yaml: `type: MeshCircuitBreaker
mesh: default
name: mcb
spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: Mesh }
    default:
      connectionLimits: { maxConnections: 1024, maxConnectionPools: 10, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 }
      outlierDetection:
        disabled: false
        interval: 5s
        baseEjectionTime: 30s
        maxEjectionPercent: 20
        splitExternalAndLocalErrors: true
        healthyPanicThreshold: '50.5'
        detectors:
          totalFailures: { consecutive: 10 }
          gatewayFailures: { consecutive: 10 }
          localOriginFailures: { consecutive: 10 }
          successRate: { minimumHosts: 5, requestVolume: 10, standardDeviationFactor: '1.9' }
          failurePercentage: { minimumHosts: 5, requestVolume: 10, threshold: 85 }
  rules: [{ default: { connectionLimits: { maxConnections: 10 } } }]
`,
    nested: [['spec', 'to', 0, 'default', 'outlierDetection', 'detectors', 'successRate'], 'spec.to[0].default.outlierDetection.detectors.successRate.bogus'],
  },
  MeshHealthCheck: {
    yaml: `type: MeshHealthCheck
mesh: default
name: mhc
spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: MeshService, name: backend }
    default:
      interval: 10s
      timeout: 2s
      unhealthyThreshold: 3
      healthyThreshold: 1
      initialJitter: 1s
      intervalJitter: 1s
      intervalJitterPercent: 10
      healthyPanicThreshold: 60
      failTrafficOnPanic: false
      eventLogPath: /tmp/hc.log
      alwaysLogHealthCheckFailures: true
      noTrafficInterval: 1m
      reuseConnection: true
      tcp: { disabled: false, send: Zm9v, receive: [YmFy] }
      http:
        disabled: false
        path: /health
        expectedStatuses: [200, 201]
        requestHeadersToAdd: { set: [{ name: x-a, value: b }], add: [{ name: x-c, value: d }] }
      grpc: { disabled: true, serviceName: svc, authority: auth }
`,
    nested: [['spec', 'to', 0, 'default', 'http', 'requestHeadersToAdd', 'set', 0], 'spec.to[0].default.http.requestHeadersToAdd.set[0].bogus'],
  },
  MeshLoadBalancingStrategy: {
    yaml: `type: MeshLoadBalancingStrategy
mesh: default
name: mlbs
spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: MeshService, name: backend }
    default:
      localityAwareness:
        disabled: false
        localZone: { affinityTags: [{ key: k8s.io/node, weight: 90 }, { key: k8s.io/az, weight: 10 }] }
        crossZone:
          failover:
          - from: { zones: [east] }
            to: { type: Only, zones: [west] }
          - to: { type: Any }
          failoverThreshold: { percentage: 70 }
      loadBalancer:
        type: RingHash
        ringHash:
          hashFunction: MurmurHash2
          minRingSize: 64
          maxRingSize: 1024
          hashPolicies:
          - { type: Header, terminal: true, header: { name: x-user } }
          - { type: Cookie, cookie: { name: session, ttl: 1h, path: / } }
          - { type: Connection, connection: { sourceIP: true } }
          - { type: QueryParameter, queryParameter: { name: u } }
          - { type: FilterState, filterState: { key: k } }
`,
    nested: [['spec', 'to', 0, 'default', 'localityAwareness', 'crossZone', 'failover', 0, 'to'], 'spec.to[0].default.localityAwareness.crossZone.failover[0].to.bogus'],
  },
  MeshService: {
    yaml: `type: MeshService
mesh: default
name: backend
spec:
  selector: { dataplaneTags: { kuma.io/service: backend } }
  ports: [{ port: 80, targetPort: 8080, appProtocol: http, name: http }]
  identities: [{ type: ServiceTag, value: backend }]
  state: Available
`,
    alt: `type: MeshService
mesh: default
name: backend
spec:
  selector: { dataplaneRef: { name: dp-1 } }
`,
    nested: [['spec', 'ports', 0], 'spec.ports[0].bogus'],
  },
  MeshMultiZoneService: {
    yaml: `type: MeshMultiZoneService
mesh: default
name: backend
spec:
  selector: { meshService: { matchLabels: { kuma.io/display-name: backend } } }
  ports: [{ port: 80, appProtocol: http, name: http }]
`,
    nested: [['spec', 'selector', 'meshService'], 'spec.selector.meshService.bogus'],
  },
  MeshExternalService: {
    yaml: `type: MeshExternalService
mesh: default
name: httpbin
spec:
  match: { type: HostnameGenerator, port: 80, protocol: http }
  endpoints: [{ address: httpbin.org, port: 443 }]
  tls:
    enabled: true
    allowRenegotiation: false
    version: { min: TLS12, max: TLS13 }
    verification:
      mode: Secured
      serverName: httpbin.org
      subjectAltNames: [{ type: Exact, value: httpbin.org }]
      caCert: { inline: dGVzdA== }
      clientCert: { secret: cert }
      clientKey: { inlineString: key }
  extension: { type: Lambda, config: { free: { form: 1 } } }
`,
    nested: [['spec', 'tls', 'verification'], 'spec.tls.verification.bogus'],
  },
  HostnameGenerator: {
    yaml: `type: HostnameGenerator
name: local-universal-mesh-service
spec:
  selector: { meshService: { matchLabels: { kuma.io/origin: zone } } }
  template: '{{ .DisplayName }}.svc.mesh.local'
  extension: { type: Custom, config: { any: thing } }
`,
    nested: [['spec', 'selector'], 'spec.selector.bogus'],
  },
  MeshFaultInjection: {
    yaml: `type: MeshFaultInjection
mesh: default
name: mfi
spec:
  targetRef: { kind: Mesh }
  rules:
  - matches: [{ spiffeID: { type: Exact, value: spiffe://default/web } }]
    default:
      http:
      - abort: { httpStatus: 500, percentage: 10 }
        delay: { value: 1s, percentage: "2.5" }
        responseBandwidth: { limit: 1Mbps, percentage: 50 }
`,
    nested: [['spec', 'rules', 0, 'default', 'http', 0, 'abort'], 'spec.rules[0].default.http[0].abort.bogus'],
  },
  MeshRateLimit: {
    yaml: `type: MeshRateLimit
mesh: default
name: mrl
spec:
  targetRef: { kind: Mesh }
  rules:
  - default:
      local:
        http:
          disabled: false
          requestRate: { num: 10, interval: 1s }
          onRateLimit: { status: 429, headers: { set: [{ name: x-a, value: b }], add: [{ name: x-c, value: d }] } }
        tcp: { disabled: false, connectionRate: { num: 10, interval: 1s } }
`,
    nested: [['spec', 'rules', 0, 'default', 'local', 'http', 'onRateLimit', 'headers', 'set', 0], 'spec.rules[0].default.local.http.onRateLimit.headers.set[0].bogus'],
  },
  MeshAccessLog: {
    yaml: `type: MeshAccessLog
mesh: default
name: mal
spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: Mesh }
    default:
      backends:
      - type: File
        file: { path: /tmp/a.log, format: { type: Json, json: [{ key: mesh, value: "%KUMA_MESH%" }], omitEmptyValues: true } }
      - type: Tcp
        tcp: { address: 127.0.0.1:5000, format: { type: Plain, plain: "%KUMA_MESH%" } }
`,
    nested: [['spec', 'to', 0, 'default', 'backends', 0, 'file', 'format'], 'spec.to[0].default.backends[0].file.format.bogus'],
  },
  MeshHTTPRoute: {
    yaml: `type: MeshHTTPRoute
mesh: default
name: mhr
spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: MeshService, name: backend }
    rules:
    - matches: [{ path: { type: PathPrefix, value: /api }, method: GET, headers: [{ type: Exact, name: x-v, value: '2' }], queryParams: [{ type: Exact, name: q, value: '1' }] }]
      default:
        filters:
        - { type: RequestHeaderModifier, requestHeaderModifier: { set: [{ name: x-a, value: b }], remove: [x-c] } }
        - { type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /v2 } } }
        - { type: RequestMirror, requestMirror: { percentage: 5, backendRef: { kind: MeshService, name: shadow } } }
        backendRefs: [{ kind: MeshServiceSubset, name: backend, tags: { version: v1 }, weight: 1, port: 80 }]
`,
    nested: [['spec', 'to', 0, 'rules', 0, 'default', 'filters', 1, 'urlRewrite', 'path'], 'spec.to[0].rules[0].default.filters[1].urlRewrite.path.bogus'],
  },
  MeshTCPRoute: {
    yaml: `type: MeshTCPRoute
mesh: default
name: mtr
spec:
  targetRef: { kind: Mesh }
  to:
  - targetRef: { kind: MeshService, name: db }
    rules:
    - default: { backendRefs: [{ kind: MeshService, name: db, weight: 1 }] }
`,
    nested: [['spec', 'to', 0, 'rules', 0, 'default', 'backendRefs', 0], 'spec.to[0].rules[0].default.backendRefs[0].bogus'],
  },
  MeshTLS: {
    yaml: `type: MeshTLS
mesh: default
name: mtls
spec:
  targetRef: { kind: Mesh }
  rules:
  - default:
      mode: Permissive
      tlsVersion: { min: TLS12, max: TLS13 }
      tlsCiphers: [ECDHE-RSA-AES256-GCM-SHA384]
`,
    nested: [['spec', 'rules', 0, 'default', 'tlsVersion'], 'spec.rules[0].default.tlsVersion.bogus'],
  },
  MeshTrace: {
    yaml: `type: MeshTrace
mesh: default
name: mtr
spec:
  targetRef: { kind: Mesh }
  default:
    backends:
    - type: Zipkin
      zipkin: { url: "http://zipkin:9411/api/v2/spans" }
    tags:
    - name: env
      header: { name: x-env, default: prod }
`,
    nested: [['spec', 'default', 'tags', 0, 'header'], 'spec.default.tags[0].header.bogus'],
  },
  MeshMetric: {
    yaml: `type: MeshMetric
mesh: default
name: mm
spec:
  targetRef: { kind: Mesh }
  default:
    sidecar:
      profiles:
        appendProfiles: [{ name: Basic }]
        exclude: [{ type: Prefix, match: envoy_cluster_ }]
    applications: [{ path: /metrics, port: 8888 }]
    backends:
    - type: Prometheus
      prometheus: { port: 5670, path: /metrics }
`,
    nested: [['spec', 'default', 'backends', 0, 'prometheus'], 'spec.default.backends[0].prometheus.bogus'],
  },
  MeshPassthrough: {
    yaml: `type: MeshPassthrough
mesh: default
name: mp
spec:
  targetRef: { kind: Mesh }
  default:
    passthroughMode: Matched
    appendMatch: [{ type: IP, value: 10.0.0.1, port: 80, protocol: tcp }]
`,
    nested: [['spec', 'default', 'appendMatch', 0], 'spec.default.appendMatch[0].bogus'],
  },
  MeshProxyPatch: {
    yaml: `type: MeshProxyPatch
mesh: default
name: mpp
spec:
  targetRef: { kind: Mesh }
  default:
    appendModifications:
    - cluster:
        operation: Patch
        match: { origin: outbound }
        jsonPatches:
        - { op: replace, path: /connectTimeout, value: 7s }
`,
    nested: [['spec', 'default', 'appendModifications', 0, 'cluster', 'match'], 'spec.default.appendModifications[0].cluster.match.bogus'],
  },
};

function decode(doc: unknown) {
  return fromRest(registry, doc);
}

function withBogus(doc: Record<string, unknown>, at: (string | number)[]): Record<string, unknown> {
  const copy = structuredClone(doc);
  let o: Record<string | number, unknown> = copy;
  for (const k of at) o = o[k] as Record<string | number, unknown>;
  o.bogus = 1;
  return copy;
}

describe('strict decoding per type', () => {
  it('has a case for every writable type', () => {
    const writable = ALL_TYPES.filter((d) => !d.readOnly).map((d) => d.name);
    expect(Object.keys(CASES).sort()).toEqual([...writable].sort());
  });

  describe.each(Object.entries(CASES))('%s', (type, c) => {
    const doc = parseYamlDocuments(c.yaml)[0] as Record<string, unknown>;
    const d = registry.mustByName(type);

    it('accepts a full example: no unknown field, no violation', () => {
      const p = decode(doc);
      expect(p.unknownFields).toEqual([]);
      expect(d.validate(p.spec)).toEqual([]);
    });

    if (c.alt) {
      it('accepts the alternative example', () => {
        const p = decode(parseYamlDocuments(c.alt!)[0]);
        expect(p.unknownFields).toEqual([]);
        expect(d.validate(p.spec)).toEqual([]);
      });
    }

    it('rejects an unknown top-level key by its name', () => {
      const p = decode({ ...doc, junk: { a: 1 } });
      expect(p.unknownFields.map((v) => v.field)).toEqual(['junk']);
      expect(p.unknownFields[0]!.message).toMatch(/^unknown field "junk"/);
      if (d.nestedSpec) expect(p.unknownFields[0]!.message).toContain(`the fields of a ${type} go under "spec"`);
    });

    it(`rejects a nested unknown field at ${c.nested[1]}`, () => {
      const p = decode(withBogus(doc, c.nested[0]));
      expect(p.unknownFields).toEqual([{ field: c.nested[1], message: expect.stringMatching(/^unknown field "bogus"/) }]);
    });
  });

  it('what the CP creates itself (default policies) reads back through the strict decoder', () => {
    const policies = defaultMeshPolicies('default', {});
    expect(policies.length).toBeGreaterThan(0);
    for (const r of policies) {
      const d = registry.mustByName(r.type);
      const rest = toRest(d, { ...r, labels: r.labels ?? {}, version: 1, creationTime: '2026-01-01T00:00:00Z', modificationTime: '2026-01-01T00:00:00Z' });
      expect([r.name, fromRest(registry, rest).unknownFields]).toEqual([r.name, []]);
    }
  });

  it('nested-spec types: an unknown key inside spec is a spec field', () => {
    const p = decode({ type: 'MeshTimeout', mesh: 'default', name: 'x', spec: { to: [], nope: 1 } });
    expect(p.unknownFields).toEqual([{ field: 'spec.nope', message: 'unknown field "nope"; known fields: targetRef, to, from, rules' }]);
  });

  it('flat types: a `spec:` block is an unknown field with a hint', () => {
    const p = decode({ type: 'Zone', name: 'z', spec: { enabled: true } });
    expect(p.unknownFields).toEqual([{ field: 'spec', message: 'unknown field "spec"; known fields: enabled; the fields of a Zone sit at the top level, next to "type" and "name"' }]);
  });

  it('an object where a plain value belongs is refused too (its keys would be stored unchecked)', () => {
    const p = decode({ type: 'Mesh', name: 'x', skipCreatingInitialPolicies: [{ junk: 'x' }], routing: { zoneEgress: { junk: 1 } } });
    expect(p.unknownFields).toEqual([
      { field: 'skipCreatingInitialPolicies[0]', message: 'must be a plain value (string, number or boolean), not an object' },
      { field: 'routing.zoneEgress', message: 'must be a plain value (string, number or boolean), not an object' },
    ]);
    expect(p.spec).toEqual({ skipCreatingInitialPolicies: [undefined], routing: {} });
  });

  it('suggests the closest field name', () => {
    const p = decode({ type: 'Dataplane', mesh: 'default', name: 'x', networking: { adress: '1.1.1.1' } });
    expect(p.unknownFields).toEqual([{ field: 'networking.adress', message: 'unknown field "adress", did you mean "address"?' }]);
  });

  it('collects every unknown field of a document', () => {
    const p = decode({ type: 'Mesh', name: 'x', a: 1, mtls: { b: 2, backends: [{ name: 'ca', type: 'builtin', c: 3 }] } });
    expect(p.unknownFields.map((v) => v.field)).toEqual(['a', 'mtls.b', 'mtls.backends[0].c']);
    expect(p.spec).toEqual({ mtls: { backends: [{ name: 'ca', type: 'builtin' }] } });
  });

  it('accepts snake_case field names and camelizes them, never data-map keys or free-form JSON', () => {
    const p = decode({
      type: 'Dataplane',
      mesh: 'default',
      name: 'x',
      networking: {
        address: '10.0.0.1',
        inbound: [{ port: 1, service_port: 2, tags: { 'kuma.io/service': 'a', team_name: 'b' } }],
        transparent_proxying: { redirect_port_inbound: 15006, reachable_backends: { refs: [{ kind: 'MeshService', labels: { some_label: 'x' } }] } },
      },
      metrics: { type: 'prometheus', conf: { skip_mtls: true } },
    });
    expect(p.unknownFields).toEqual([]);
    expect(p.spec).toEqual({
      networking: {
        address: '10.0.0.1',
        inbound: [{ port: 1, servicePort: 2, tags: { 'kuma.io/service': 'a', team_name: 'b' } }],
        transparentProxying: { redirectPortInbound: 15006, reachableBackends: { refs: [{ kind: 'MeshService', labels: { some_label: 'x' } }] } },
      },
      metrics: { type: 'prometheus', conf: { skip_mtls: true } },
    });
  });

  it('targetRef policies take snake_case too', () => {
    const p = decode({ type: 'MeshTimeout', mesh: 'default', name: 'x', spec: { target_ref: { kind: 'Mesh', proxy_types: ['Sidecar'] }, to: [{ target_ref: { kind: 'Mesh' }, default: { connection_timeout: '1s', http: { request_timeout: '2s' } } }] } });
    expect(p.unknownFields).toEqual([]);
    expect(p.spec).toEqual({ targetRef: { kind: 'Mesh', proxyTypes: ['Sidecar'] }, to: [{ targetRef: { kind: 'Mesh' }, default: { connectionTimeout: '1s', http: { requestTimeout: '2s' } } }] });
  });

  it('names a map entry by its key; its value is checked against the map value type', () => {
    const p = decode({ type: 'TrafficRoute', mesh: 'default', name: 'x', conf: { http: [{ match: { headers: { 'x-a': { exact: 'b', nope: 1 } } } }] } });
    expect(p.unknownFields.map((v) => v.field)).toEqual(['conf.http[0].match.headers["x-a"].nope']);
  });

  it('"__proto__" is an unknown field or a plain map key, never a prototype', () => {
    const doc = JSON.parse('{"type":"Dataplane","mesh":"default","name":"x","__proto__":{"polluted":1},"networking":{"address":"1.1.1.1","inbound":[{"port":1,"tags":{"kuma.io/service":"a","__proto__":"b"}}]}}');
    const p = decode(doc);
    expect(p.unknownFields.map((v) => v.field)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(p.spec)).toBe(Object.prototype);
    const tags = (p.spec as { networking: { inbound: { tags: Record<string, string> }[] } }).networking.inbound[0]!.tags;
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
    expect(Object.keys(tags)).toEqual(['kuma.io/service', '__proto__']);
  });

  it('drops nulls as jsonpb does', () => {
    const p = decode({ type: 'Mesh', name: 'x', mtls: null, routing: { zoneEgress: null, localityAwareLoadBalancing: true } });
    expect(p.unknownFields).toEqual([]);
    expect(p.spec).toEqual({ routing: { localityAwareLoadBalancing: true } });
  });

  it('refuses nesting deeper than any spec instead of exhausting the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const p = decode({ type: 'Mesh', name: 'x', mtls: { backends: [{ name: 'a', type: 'builtin', conf: deep }] } });
    expect(p.unknownFields).toEqual([{ field: expect.stringMatching(/^mtls\.backends\[0\]\.conf(\[0\])+$/), message: 'is nested deeper than 64 levels' }]);
  });
});
