/**
 * `POST /bootstrap` (kuma-api-cli.md §4.5): checks the request and answers
 * with the Envoy bootstrap for the proxy. The token is only required to be
 * present here; it is verified on the ADS stream, where the proxy registers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fromRest } from '../resources/codec';
import type { ResourceManager } from '../core/resource-manager';
import type { Registry } from '../resources/registry';
import type { ResourceStore } from '../store/resource-store';
import { envoyBootstrap } from '../xds/bootstrap/envoy-bootstrap';
import { certificateSans } from '../tls/self-signed';
import { verifyDataplaneToken } from '../auth/tokens';
import { DEFAULT_DNS_TTL_S, vipAllocationKey, vipAllocationSpec, vipRecords } from '../dns/vips';
import { meshServiceDnsRecords } from '../meshservice/dns-records';
import { msVipAllocationKey, msVipsOf } from '../meshservice/vips';

export const TOKEN_REQUIRED =
  "Dataplane Token is required. Generate token using 'kumactl generate dataplane-token > /path/file' and provide it via --dataplane-token-file=/path/file argument to Kuma DP";
export const GLOBAL_REFUSES =
  'this is a global control plane: data plane proxies connect to a zone control plane (its DP server, port 5678), never to the global';

const RESOURCE_TYPE: Record<string, string> = { dataplane: 'Dataplane', ingress: 'ZoneIngress', egress: 'ZoneEgress' };
const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_ADMIN_PORT = 9901;

export interface BootstrapDeps {
  mode: 'global' | 'zone';
  store: ResourceStore;
  registry: Registry;
  manager: ResourceManager;
  certPem: string;
  dpServerPort: () => number;
  /** KUMA_BOOTSTRAP_SERVER_PARAMS_XDS_HOST: the xDS host for Envoy instead of the host the proxy asked. */
  xdsHost?: string;
  /** dpToken | none */
  dpAuthType: string;
  zoneAuthType: string;
  /** dnsServer.domain, answered by GET /dns before the mesh has a VipAllocation. */
  dnsDomain?: string;
}

/** kuma-dp's resolver polls the mesh's VIP records here (GET /dns?mesh=<mesh>[&name=<dataplane>]). */
export const DNS_PATH = '/dns';

function send(res: ServerResponse, status: number, body: string, type = 'text/plain'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function bootstrapHandler(deps: BootstrapDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const sans = new Set(certificateSans(deps.certPem));
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === DNS_PATH) return dnsRecords(deps, req, res);
    if (path !== '/bootstrap') return send(res, 404, `no ${path} on the DP server; kuma dp run posts to /bootstrap`);
    if (req.method !== 'POST') return send(res, 405, 'use POST /bootstrap');
    if (deps.mode === 'global') {
      req.resume();
      return send(res, 400, GLOBAL_REFUSES);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return send(res, 413, `the bootstrap request is larger than ${MAX_BODY_BYTES} bytes`);
      try {
        answer(deps, sans, req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        send(res, 500, `bootstrap failed: ${(e as Error).message}`);
      }
    });
  };
}

function answer(deps: BootstrapDeps, sans: Set<string>, req: IncomingMessage, res: ServerResponse, text: string): void {
  let body: Record<string, any>;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return send(res, 400, `the bootstrap request is not JSON: ${(e as Error).message}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return send(res, 400, 'the bootstrap request must be a JSON object such as {"mesh":"default","name":"web-01"}');
  const proxyType = (body.proxyType || 'dataplane') as 'dataplane' | 'ingress' | 'egress';
  const type = RESOURCE_TYPE[proxyType];
  if (!type) return send(res, 400, `invalid proxy type "${proxyType}"`);
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (host && !sans.has(host)) {
    return send(res, 400, `A data plane proxy is trying to connect to the control plane using "${host}" address, but the certificate in the control plane has the following SANs [${[...sans].join(' ')}]. Either connect using one of them or use a certificate with this address`);
  }
  const authType = proxyType === 'dataplane' ? deps.dpAuthType : deps.zoneAuthType;
  if (authType !== 'none' && !body.dataplaneToken && !body.dataplaneTokenPath) return send(res, 422, TOKEN_REQUIRED);

  let mesh = String(body.mesh ?? '');
  let name = String(body.name ?? '');
  let resource: { spec: Record<string, unknown> } | undefined;
  if (body.dataplaneResource) {
    let doc: unknown;
    try {
      doc = JSON.parse(body.dataplaneResource);
    } catch (e) {
      return send(res, 400, `dataplaneResource is not JSON: ${(e as Error).message}`);
    }
    let parsed;
    try {
      parsed = fromRest(deps.registry, doc);
    } catch (e) {
      return send(res, 400, (e as Error).message);
    }
    if (parsed.type !== type) return send(res, 400, `invalid proxy resource type "${parsed.type}", expected ${type}`);
    const vs = deps.manager.validate(parsed);
    if (vs.length) return send(res, 400, `the ${type} is not valid: ${vs.map((v) => `${v.field}: ${v.message}`).join('; ')}`);
    mesh = parsed.mesh;
    name = parsed.name;
    resource = parsed;
  } else {
    const stored = deps.store.get({ type, mesh: type === 'Dataplane' ? mesh : '', name });
    if (!stored) return send(res, 404, '');
    resource = stored;
  }
  if (type === 'Dataplane' && !deps.store.get({ type: 'Mesh', mesh: '', name: mesh })) return send(res, 422, `mesh "${mesh}" does not exist`);

  const spec = resource.spec as { networking?: { admin?: { port?: number }; inbound?: { tags?: Record<string, string> }[]; gateway?: { tags?: Record<string, string> } } };
  const cluster = proxyType === 'dataplane' ? (spec.networking?.inbound?.[0]?.tags?.['kuma.io/service'] ?? spec.networking?.gateway?.tags?.['kuma.io/service'] ?? '') : proxyType;
  const xdsHost = deps.xdsHost || host || '127.0.0.1';
  const bootstrap = envoyBootstrap({
    nodeId: `${type === 'Dataplane' ? mesh : ''}.${name}`,
    cluster,
    proxyType,
    dataplaneResource: body.dataplaneResource ?? '',
    adminAddress: '127.0.0.1',
    adminPort: spec.networking?.admin?.port ?? DEFAULT_ADMIN_PORT,
    xdsHost,
    xdsPort: deps.dpServerPort(),
    caCertPem: typeof body.caCert === 'string' && body.caCert ? body.caCert : deps.certPem,
    token: String(body.dataplaneToken ?? ''),
    version: body.version ?? {},
    features: Array.isArray(body.features) ? body.features : [],
    workdir: String(body.workdir ?? ''),
    dynamicMetadata: body.dynamicMetadata ?? {},
    dnsPort: Number.isInteger(body.dnsPort) && body.dnsPort > 0 && body.dnsPort < 65536 ? body.dnsPort : 0,
  });
  const address = (spec.networking as { address?: string } | undefined)?.address ?? '';
  send(res, 200, JSON.stringify({ bootstrap: Buffer.from(JSON.stringify(bootstrap, null, 1)).toString('base64'), kumaSidecarConfiguration: { networking: { address }, metrics: { aggregate: [] } } }), 'application/json');
}

/**
 * MeshService hostnames of a mesh, recomputed only when one of their inputs is another object
 * than last time (store objects are immutable; kuma-dp polls often).
 */
type MsRecordCache = Map<string, { inputs: readonly unknown[]; records: ReturnType<typeof meshServiceDnsRecords> }>;
// Per store (a process may run several CPs); an entry goes with its mesh's MeshService VIP record.
const msRecordCaches = new WeakMap<ResourceStore, MsRecordCache>();
function meshServiceRecords(store: ResourceStore, mesh: string): ReturnType<typeof meshServiceDnsRecords> {
  let msRecordCache = msRecordCaches.get(store);
  if (!msRecordCache) msRecordCaches.set(store, (msRecordCache = new Map()));
  const vipRecord = store.get(msVipAllocationKey(mesh));
  if (!vipRecord) {
    msRecordCache.delete(mesh);
    return [];
  }
  const hgs = store.list('HostnameGenerator').items;
  const ms = store.list('MeshService', { mesh }).items;
  const mzs = store.list('MeshMultiZoneService', { mesh }).items;
  const mes = store.list('MeshExternalService', { mesh }).items;
  const inputs = [vipRecord, ...hgs, null, ...ms, null, ...mzs, null, ...mes];
  const hit = msRecordCache.get(mesh);
  if (hit && hit.inputs.length === inputs.length && hit.inputs.every((x, i) => x === inputs[i])) return hit.records;
  const records = meshServiceDnsRecords({ meshServices: ms, multiZoneServices: mzs, externalServices: mes, hostnameGenerators: hgs, vips: msVipsOf(vipRecord.spec) });
  msRecordCache.set(mesh, { inputs, records });
  return records;
}

/**
 * `GET /dns?mesh=<mesh>[&name=<dataplane>]`: the Kuma DNS records of a mesh for kuma-dp's resolver
 * (internal/dns/dns-server.ts), `{domain, ttl, records: [{name, ip, port}]}` from the mesh's
 * VipAllocation (empty records until the zone CP allocated any). With dataplane token auth the
 * request carries the proxy's dataplane token in `authorization` (as on the ADS stream): it must
 * verify with the mesh's signing key, and name the `name` given (when the token names a proxy).
 */
function dnsRecords(deps: BootstrapDeps, req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  if (req.method !== 'GET') return send(res, 405, `use GET ${DNS_PATH}?mesh=<mesh>`);
  if (deps.mode === 'global') return send(res, 400, GLOBAL_REFUSES);
  const url = new URL(req.url ?? '/', 'https://dp-server');
  const mesh = url.searchParams.get('mesh') ?? '';
  const name = url.searchParams.get('name') ?? '';
  if (!mesh) return send(res, 400, `${DNS_PATH} needs ?mesh=<mesh>`);
  if (!deps.store.get({ type: 'Mesh', mesh: '', name: mesh })) {
    msRecordCaches.get(deps.store)?.delete(mesh);
    return send(res, 404, `mesh "${mesh}" does not exist`);
  }
  const respond = () => {
    const spec = vipAllocationSpec(deps.store.get(vipAllocationKey(mesh))?.spec);
    const records = [...vipRecords(spec).map((r) => ({ name: r.name, ip: r.ip, port: r.port })), ...meshServiceRecords(deps.store, mesh)];
    send(res, 200, JSON.stringify({ domain: spec?.domain ?? deps.dnsDomain ?? 'mesh', ttl: DEFAULT_DNS_TTL_S, records }), 'application/json');
  };
  if (deps.dpAuthType === 'none') return respond();
  const token = String(req.headers.authorization ?? '').replace(/^Bearer\s+/i, '').trim();
  if (!token) return send(res, 401, `${DNS_PATH} needs the proxy's dataplane token in the authorization header`);
  verifyDataplaneToken(deps.store, token, mesh).then(
    (claims) => {
      if (claims.Mesh !== '' && claims.Mesh !== mesh) return send(res, 403, `the token is for mesh "${claims.Mesh}", not "${mesh}"`);
      if (claims.Name !== '' && name !== '' && claims.Name !== name) return send(res, 403, `the token is for proxy "${claims.Name}", not "${name}"`);
      respond();
    },
    (e) => send(res, 401, `authentication failed: ${(e as Error).message}`),
  );
}
