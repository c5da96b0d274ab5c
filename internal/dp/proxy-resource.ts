/**
 * What `kuma dp run` says about the proxy it runs (spec kuma-api-cli.md §4.4,
 * kuma-kds-xds.md §7): either a resource (`--dataplane-file`, `--dataplane`)
 * rendered with `--dataplane-var` and checked locally with the type
 * registry, or `--name`/`--mesh` of a Dataplane created beforehand. Every
 * mistake is found here, before Envoy or the control plane is involved.
 */
import { parseAllDocuments } from 'yaml';
import { BadRequestError, ValidationError } from '../errors';
import { renderTemplate } from '../cli/mustache';
import { fromRest } from '../resources/codec';
import { validateMeta } from '../resources/meta-validator';
import type { Registry } from '../resources/registry';
import type { ProxyType } from './bootstrap-client';

export const PROXY_TYPES: readonly ProxyType[] = ['dataplane', 'ingress', 'egress'];
const RESOURCE_TYPE: Record<ProxyType, string> = { dataplane: 'Dataplane', ingress: 'ZoneIngress', egress: 'ZoneEgress' };

export interface ProxyResourceInput {
  proxyType?: string;
  /** The resource text (YAML or JSON), before rendering. */
  text?: string;
  /** Where the text came from, for messages ("dp.yaml", "--dataplane", "stdin"). */
  source?: string;
  vars?: Record<string, string>;
  name?: string;
  mesh?: string;
  /** --admin-port: fills networking.admin.port of the resource. */
  adminPort?: number;
}

export interface ProxyResource {
  proxyType: ProxyType;
  mesh: string;
  name: string;
  /** The resource as REST JSON (the bootstrap request's `dataplaneResource`); "" without a resource. */
  resourceJson: string;
}

export function parseProxyType(v: string | undefined): ProxyType {
  const t = v ?? 'dataplane';
  if (!(PROXY_TYPES as readonly string[]).includes(t)) throw new BadRequestError(`invalid proxy type "${t}" (expected one of ${PROXY_TYPES.join(', ')})`);
  return t as ProxyType;
}

export function buildProxyResource(registry: Registry, input: ProxyResourceInput): ProxyResource {
  const proxyType = parseProxyType(input.proxyType);
  const expected = RESOURCE_TYPE[proxyType];
  if (input.text === undefined) {
    if (input.adminPort !== undefined) {
      throw new BadRequestError('--admin-port needs a resource (--dataplane-file or --dataplane); for a Dataplane created beforehand set its networking.admin.port');
    }
    const violations = [];
    if (!input.name) violations.push({ field: 'name', message: '.Name must be non-empty (pass --name, or a resource with --dataplane-file)' });
    if (proxyType === 'dataplane' && !input.mesh) violations.push({ field: 'mesh', message: '.Mesh must be non-empty (pass --mesh, or a resource with --dataplane-file)' });
    if (violations.length > 0) throw new ValidationError(violations, 'invalid kuma dp run arguments');
    return { proxyType, mesh: proxyType === 'dataplane' ? input.mesh! : '', name: input.name!, resourceJson: '' };
  }
  if (input.name || input.mesh) {
    throw new BadRequestError('--name and --mesh cannot be specified when a dataplane definition is provided, mesh and name will be read from the dataplane definition');
  }
  const source = input.source ?? 'the dataplane definition';
  const vars = input.vars ?? {};
  const text = Object.keys(vars).length > 0 ? renderTemplate(input.text, vars) : input.text;
  const docs = parseAllDocuments(text, { logLevel: 'error' });
  const objects: unknown[] = [];
  for (const d of docs) {
    if (d.errors.length > 0) throw new BadRequestError(`${source}: failed to parse the resource: ${d.errors[0]!.message.split('\n')[0]}`);
    const js = d.toJS();
    if (js !== null && js !== undefined) objects.push(js);
  }
  if (objects.length !== 1) throw new BadRequestError(`${source}: expected exactly one resource, found ${objects.length}`);
  const doc = objects[0] as Record<string, unknown>;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new BadRequestError(`${source}: the resource must be a YAML/JSON object`);
  if (doc.type !== expected) {
    throw new BadRequestError(`invalid proxy resource type "${String(doc.type ?? '')}", expected ${expected} (--proxy-type ${proxyType})`);
  }
  const parsed = fromRest(registry, doc);
  const spec = { ...parsed.spec };
  if (input.adminPort !== undefined) {
    const net = (spec.networking && typeof spec.networking === 'object' ? { ...(spec.networking as Record<string, unknown>) } : {}) as Record<string, unknown>;
    const admin = (net.admin && typeof net.admin === 'object' ? net.admin : {}) as Record<string, unknown>;
    if (admin.port !== undefined && admin.port !== input.adminPort) {
      throw new BadRequestError(`--admin-port ${input.adminPort} contradicts networking.admin.port ${String(admin.port)} of ${source}`);
    }
    net.admin = { ...admin, port: input.adminPort };
    spec.networking = net;
  }
  const d = parsed.descriptor;
  const violations = [...parsed.unknownFields, ...validateMeta(d, { name: doc.name, mesh: doc.mesh, labels: doc.labels }), ...d.validate(spec)];
  if (violations.length > 0) {
    throw new ValidationError(violations, `invalid ${expected}${parsed.name ? ` "${parsed.name}"` : ''} in ${source}`);
  }
  const rest: Record<string, unknown> = { type: d.name };
  if (d.scope === 'Mesh') rest.mesh = parsed.mesh;
  rest.name = parsed.name;
  if (Object.keys(parsed.labels).length > 0) rest.labels = parsed.labels;
  Object.assign(rest, d.nestedSpec ? { spec } : spec);
  return { proxyType, mesh: d.scope === 'Mesh' ? parsed.mesh : '', name: parsed.name, resourceJson: JSON.stringify(rest) };
}
