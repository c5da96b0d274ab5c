/**
 * What `kuma lab up` tells a person, as pure text: the plan before anything
 * starts (what runs in which step) and, once up, the table of what runs
 * where (pid, ports, URL), so the progress lines between them read as
 * ticking off a list already shown.
 */
import { renderTable } from '../cli/printers/table';
import { waves, type ComponentPlan, type LabPlan } from './plan';
import type { ComponentState } from './state';

const KIND_NAME: Record<ComponentPlan['kind'], [one: string, many: string]> = {
  'global-cp': ['global CP', 'global CPs'],
  'zone-cp': ['zone CP', 'zone CPs'],
  ingress: ['zone ingress', 'zone ingresses'],
  egress: ['zone egress', 'zone egresses'],
  app: ['demo app', 'demo apps'],
  sidecar: ['sidecar', 'sidecars'],
};

/** "global CP", "zone CP zone-1", "sidecar web-zone-1": the name a progress line uses. */
export function describeComponent(c: Pick<ComponentPlan, 'kind' | 'name' | 'zone'>): string {
  switch (c.kind) {
    case 'global-cp':
      return 'global CP';
    case 'zone-cp':
      return `zone CP ${c.zone}`;
    default:
      return `${KIND_NAME[c.kind][0]} ${c.name}`;
  }
}

/** The steps of the plan, one line each: "  2. zone CPs zone-1, zone-2". */
export function planText(plan: LabPlan): string {
  const ws = waves(plan);
  const lines = ws.map((wave, i) => {
    const groups = new Map<ComponentPlan['kind'], string[]>();
    for (const c of wave) (groups.get(c.kind) ?? groups.set(c.kind, []).get(c.kind)!).push(c.kind === 'global-cp' ? '' : c.kind === 'zone-cp' ? c.zone! : c.name);
    const parts = [...groups].map(([kind, names]) => {
      const label = KIND_NAME[kind][names.length > 1 ? 1 : 0];
      const listed = names.filter(Boolean);
      return listed.length ? `${label} ${listed.join(', ')}` : label;
    });
    return `  ${i + 1}. ${parts.join('; ')}`;
  });
  return `Starting ${plan.components.length} processes in ${ws.length} steps (each waits for the one before to be ready):\n${lines.join('\n')}\n`;
}

const KIND_COLUMN: Record<ComponentState['kind'], string> = {
  'global-cp': 'global-cp',
  'zone-cp': 'zone-cp',
  ingress: 'zone-ingress',
  egress: 'zone-egress',
  app: 'demo-app',
  sidecar: 'sidecar',
};

/** NAME KIND ZONE PID PORTS URL, one row per process of the lab. */
export function runsWhereTable(components: ComponentState[]): string {
  return renderTable({
    headers: ['NAME', 'KIND', 'ZONE', 'PID', 'PORTS', 'URL'],
    rows: components.map((c) => [
      c.name,
      KIND_COLUMN[c.kind],
      c.zone ?? '-',
      String(c.pid),
      Object.entries(c.ports)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
      c.url ?? '-',
    ]),
  });
}
