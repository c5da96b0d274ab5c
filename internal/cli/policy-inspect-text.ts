/**
 * Text kumactl 2.14 prints for policy inspection (app/kumactl/cmd/inspect/inspect_dataplane.go,
 * inspect_policy.go and their testdata goldens), from the REST bodies of
 * policy-inspect-endpoints.ts. Pure: a parsed body in, text out.
 */
import type { Table } from './printers/table';

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/** One attachment as kumactl's attachmentToStr writes it. */
function attachment(a: Obj, upper: boolean): string {
  const type = upper ? str(a.type).toUpperCase() : str(a.type);
  switch (a.type) {
    case 'dataplane':
      return type;
    case 'service':
      return `${type} ${str(a.name)}`;
    default:
      return `${type} ${str(a.name)}(${str(a.service)})`;
  }
}

/**
 * `inspect dataplane NAME --type policies`: per attachment (DATAPLANE, INBOUND, OUTBOUND, SERVICE)
 * its policy types and, under each, the policy names.
 */
export function dataplanePoliciesText(body: unknown): string {
  let out = '';
  for (const raw of arr(obj(body).items)) {
    const e = obj(raw);
    out += `${attachment(e, true)}:\n`;
    const matched = obj(e.matchedPolicies);
    for (const type of Object.keys(matched)) {
      out += `  ${type}\n`;
      for (const p of arr(matched[type])) out += `    ${str(obj(p).name)}\n`;
    }
    out += '\n';
  }
  return out;
}

/** `inspect <policy> NAME` of a legacy policy: "Affected data plane proxies:" and their attachments. */
export function affectedProxiesText(body: unknown): string {
  let out = 'Affected data plane proxies:\n\n';
  for (const raw of arr(obj(body).items)) {
    const e = obj(raw);
    const attachments = arr(e.attachments).map(obj);
    out += `  ${str(obj(e.dataplane).name)}`;
    if (attachments.length === 1 && attachments[0]!.type === 'dataplane') {
      out += '\n';
      continue;
    }
    out += ':\n';
    for (const a of attachments) out += `    ${attachment(a, false)}\n`;
    out += '\n';
  }
  return out;
}

/** `inspect <targetRef policy> NAME`: the proxies the policy selects (`_resources/dataplanes`) and the total. */
export function policyDataplanesTable(body: unknown): Table {
  const o = obj(body);
  const items = arr(o.items).map(obj);
  return {
    headers: ['Type', 'Mesh', 'Name'],
    rows: items.map((m) => [str(m.type), str(m.mesh), str(m.name)]),
    footer: `Total: ${typeof o.total === 'number' ? o.total : items.length}`,
  };
}

function matchersText(matchers: unknown): string {
  const ms = arr(matchers).map(obj);
  if (ms.length === 0) return 'all';
  return ms.map((m) => `${str(m.key)}${m.not ? '!=' : '='}${str(m.value)}`).join(',');
}

function originText(origin: unknown): string {
  return arr(origin)
    .map((o) => {
      const x = obj(o);
      const meta = obj(x.resourceMeta);
      return str(x.name) || str(meta.name);
    })
    .join(', ');
}

function indent(text: string, by: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

/**
 * `inspect dataplane NAME --type rules`: per policy type its proxy rule, `to` rules (by
 * destination matchers), `from` rules and inbound rules (per inbound port), each with the merged
 * conf as YAML and the policies it came from, in merge order; then the MeshHTTPRoute matches each
 * `__rule-matches-hash__` value stands for.
 */
export function dataplaneRulesText(body: unknown, yaml: (v: unknown) => string): string {
  let out = '';
  for (const raw of arr(obj(body).rules)) {
    const r = obj(raw);
    out += `${str(r.type)}:\n`;
    const proxy = obj(r.proxyRule);
    if (r.proxyRule) out += `  proxy (${originText(proxy.origin)}):\n${indent(yaml(proxy.conf), '    ')}\n`;
    for (const t of arr(r.toRules).map(obj)) out += `  to ${matchersText(t.matchers)} (${originText(t.origin)}):\n${indent(yaml(t.conf), '    ')}\n`;
    for (const f of arr(r.fromRules).map(obj)) {
      const port = str(obj(f.inbound).port);
      for (const x of arr(f.rules).map(obj)) out += `  from ${matchersText(x.matchers)} to inbound :${port} (${originText(x.origin)}):\n${indent(yaml(x.conf), '    ')}\n`;
    }
    for (const ir of arr(r.inboundRules).map(obj)) {
      const port = str(obj(ir.inbound).port);
      for (const x of arr(ir.rules).map(obj)) out += `  rules on inbound :${port} (${originText(x.origin)}):\n${indent(yaml(arr(x.conf)[0] ?? {}), '    ')}\n`;
    }
    for (const w of arr(r.warnings)) out += `  warning: ${str(w)}\n`;
    out += '\n';
  }
  // Rules of policies aimed at a MeshHTTPRoute name its rule by a hash: say which matches it is.
  const matches = arr(obj(body).httpMatches).map(obj);
  if (matches.length > 0) {
    out += 'HTTP matches (__rule-matches-hash__):\n';
    for (const m of matches) out += `  ${str(m.hash)}:\n${indent(yaml(m.match), '    ')}\n`;
    out += '\n';
  }
  return out;
}
