/** Universal YAML snippets shared by the generator golden tables. */

export const MESH_MTLS = `
type: Mesh
name: default
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: builtin
`;

export const MESH_MTLS_PERMISSIVE = `
type: Mesh
name: default
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: builtin
    mode: PERMISSIVE
`;

/** A Dataplane with one inbound of the given protocol and outbounds to the given services. */
export function dataplane(opts: {
  name?: string;
  address?: string;
  service?: string;
  protocol?: string;
  port?: number;
  servicePort?: number;
  extraTags?: Record<string, string>;
  outbounds?: { service: string; port: number; address?: string }[];
}): string {
  const tags: Record<string, string> = { 'kuma.io/service': opts.service ?? 'web', ...(opts.protocol ? { 'kuma.io/protocol': opts.protocol } : {}), ...opts.extraTags };
  const outbounds = opts.outbounds ?? [];
  return `
type: Dataplane
mesh: default
name: ${opts.name ?? 'web-01'}
networking:
  address: ${opts.address ?? '192.168.0.1'}
  inbound:
  - port: ${opts.port ?? 8080}
    servicePort: ${opts.servicePort ?? 8081}
    tags:
${Object.entries(tags)
  .map(([k, v]) => `      ${k}: ${v}`)
  .join('\n')}
${
  outbounds.length > 0
    ? `  outbound:\n${outbounds.map((o) => `  - port: ${o.port}\n${o.address ? `    address: ${o.address}\n` : ''}    tags:\n      kuma.io/service: ${o.service}`).join('\n')}`
    : ''
}
`;
}

/** Two backend instances (192.168.0.2, 192.168.0.3 on 9090) speaking `protocol`, tagged version v1 / v2. */
export function backends(protocol = 'http', service = 'backend'): string {
  return [1, 2]
    .map(
      (i) => `
type: Dataplane
mesh: default
name: ${service}-0${i}
networking:
  address: 192.168.0.${i + 1}
  inbound:
  - port: 9090
    tags:
      kuma.io/service: ${service}
      kuma.io/protocol: ${protocol}
      version: v${i}
`,
    )
    .join('---');
}

/** Joins YAML documents. */
export function docs(...parts: string[]): string {
  return parts.join('\n---\n');
}
