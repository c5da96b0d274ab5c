/** `kuma lab status`: one row per component, alive (pid) and ready (HTTP). */
import { renderTable } from '../cli/printers/table';
import { isAlive } from './spawn';
import type { ComponentState, LabState } from './state';
import { probeDetail } from './wait';

export interface ComponentStatus {
  component: ComponentState;
  /** up: alive and ready; not-ready: alive, readiness check fails; down: the process is gone. */
  status: 'up' | 'not-ready' | 'down';
  detail?: string;
}

export async function componentStatuses(s: LabState): Promise<ComponentStatus[]> {
  return Promise.all(
    s.components.map(async (c): Promise<ComponentStatus> => {
      if (!isAlive(c.pid, c.startTime)) return { component: c, status: 'down' };
      const detail = await probeDetail(c.ready, 2000);
      return detail === undefined ? { component: c, status: 'up' } : { component: c, status: 'not-ready', detail };
    }),
  );
}

const KIND: Record<ComponentState['kind'], string> = {
  'global-cp': 'global-cp',
  'zone-cp': 'zone-cp',
  ingress: 'zone-ingress',
  egress: 'zone-egress',
  app: 'demo-app',
  sidecar: 'sidecar',
};

export function statusTable(rows: ComponentStatus[]): string {
  return renderTable({
    headers: ['NAME', 'KIND', 'ZONE', 'PID', 'STATUS', 'PORTS'],
    rows: rows.map(({ component: c, status }) => [
      c.name,
      KIND[c.kind],
      c.zone ?? '-',
      String(c.pid),
      status,
      Object.entries(c.ports)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ]),
  });
}
