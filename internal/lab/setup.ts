/**
 * What `kuma lab up` asks of the control planes over their REST APIs: mesh
 * default with mTLS and an allow-all permission on the global, tokens (the
 * requests `kuma generate zone-token` and `dataplane-token` send), each zone
 * in sync with the global, and the sample request through the mesh.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import type { LabPlan, TokenRequest } from './plan';
import { isAlive } from './spawn';
import type { LabState } from './state';
import { seconds } from './wait';

export type Print = (text: string) => void;

export class LabError extends Error {}

/** Control planes get at least this long to be ready (and zones to sync), whatever --timeout says. */
export const CP_TIMEOUT_FLOOR_MS = 30_000;

async function api(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: any }> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/** mTLS on mesh default and an allow-all MeshTrafficPermission, on the global before any zone connects; a kumactl config for it. */
export async function configureGlobal(plan: LabPlan, print: Print): Promise<void> {
  const t0 = Date.now();
  print(`configuring mesh default on the global: mTLS (builtin CA), MeshTrafficPermission allow-all ... `);
  const g = plan.global.apiUrl;
  const mesh = await api(g, 'PUT', '/meshes/default', plan.mesh);
  if (mesh.status >= 300) throw new LabError(`PUT /meshes/default answered ${mesh.status}: ${mesh.text}`);
  for (const p of plan.policies) {
    const r = await api(g, 'PUT', p.path, p.body);
    if (r.status >= 300) throw new LabError(`PUT ${p.path} answered ${r.status}: ${r.text}`);
  }
  const { saveConfig } = await import('../cli/kumactl-config');
  await saveConfig(plan.kumactlConfig, {
    controlPlanes: [{ name: 'kuma-lab', coordinates: { apiServer: { url: g } } }],
    contexts: [{ name: 'kuma-lab', controlPlane: 'kuma-lab' }],
    currentContext: 'kuma-lab',
  });
  print(`done (${seconds(Date.now() - t0)})\n`);
}

/** A token from the global's API (`kuma generate zone-token` / `dataplane-token` do the same request), saved 0600. */
export async function fetchToken(plan: LabPlan, t: TokenRequest, forWhom: string): Promise<void> {
  const r = await api(plan.global.apiUrl, 'POST', t.path, t.body);
  if (r.status !== 200) throw new LabError(`the global refused a token for ${forWhom} (POST ${t.path} ${JSON.stringify(t.body)}): ${r.status} ${r.text.trim()}`);
  writeFileSync(t.file, r.text.trim(), { mode: 0o600 });
  chmodSync(t.file, 0o600);
}

/** Each zone Online on the global and holding the mesh with mTLS and the permission (so proxies get certificates and traffic passes). */
export async function waitZonesSynced(plan: LabPlan, state: LabState, print: Print, timeoutMs: number, interrupted: () => string | undefined): Promise<void> {
  for (const z of plan.zones) {
    print(`waiting for ${z.name} to sync with the global ... `);
    const zoneProc = state.components.find((c) => c.name === z.name)!;
    const t0 = Date.now();
    const deadline = t0 + Math.max(timeoutMs, CP_TIMEOUT_FLOOR_MS);
    for (;;) {
      if (interrupted()) throw new LabError(`interrupted by ${interrupted()}`);
      if (!isAlive(zoneProc.pid, zoneProc.startTime)) throw new LabError(`zone CP ${z.name} exited; see ${zoneProc.log}`);
      const missing = await zoneSyncGaps(plan.global.apiUrl, z.name, z.apiUrl).catch((e: Error) => [e.message]);
      if (missing.length === 0) break;
      if (Date.now() > deadline) throw new LabError(`${z.name} did not sync with the global (${missing.join('; ')}); see ${zoneProc.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    print(`synced (${seconds(Date.now() - t0)})\n`);
  }
}

/** What a zone still lacks: a KDS connection to the global, mesh default with mTLS, the allow-all permission. */
async function zoneSyncGaps(globalUrl: string, zone: string, zoneUrl: string): Promise<string[]> {
  const missing: string[] = [];
  const ov = await api(globalUrl, 'GET', `/zones/${zone}/_overview`);
  const subs: { connectTime?: string; disconnectTime?: string }[] = ov.json?.zoneInsight?.subscriptions ?? [];
  if (!subs.some((s) => s.connectTime && !s.disconnectTime)) missing.push('not connected to the global');
  const mesh = await api(zoneUrl, 'GET', '/meshes/default');
  if (mesh.json?.mtls?.enabledBackend !== 'ca-1') missing.push('mesh default with mTLS not received');
  const mtps = await api(zoneUrl, 'GET', '/meshes/default/meshtrafficpermissions');
  const items: { labels?: Record<string, string> }[] = mtps.json?.items ?? [];
  if (!items.some((i) => i.labels?.['kuma.io/display-name'] === 'allow-all')) missing.push('MeshTrafficPermission allow-all not received');
  return missing;
}

/** The request of the summary, until it answers from the service in the expected zone; reported, never fatal. */
export async function checkTraffic(plan: LabPlan, print: Print, timeoutMs: number, interrupted: () => string | undefined): Promise<void> {
  const t = plan.traffic;
  print(`checking ${t.from} -> ${t.service} (${t.toZone}${t.crossZone ? ', across zones' : ''}) at ${t.url} ... `);
  const t0 = Date.now();
  let last = 'no answer';
  for (;;) {
    try {
      const res = await fetch(t.url, { signal: AbortSignal.timeout(2000) });
      const text = await res.text();
      last = `${res.status} ${text.trim().slice(0, 120)}`;
      const body = res.status === 200 ? (JSON.parse(text) as { service?: string; instance?: string; zone?: string }) : undefined;
      if (body?.service === t.service && body.zone === t.toZone) {
        print(`200 from ${body.instance} in ${body.zone} (${seconds(Date.now() - t0)})\n`);
        return;
      }
    } catch (e) {
      last = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    }
    if (interrupted()) {
      print(`skipped (interrupted by ${interrupted()}); the lab stays up\n`);
      return;
    }
    if (Date.now() - t0 > timeoutMs) {
      print(`not answering yet (last: ${last}); the lab stays up, see the logs of ${t.from} and ingress-${t.toZone}\n`);
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
