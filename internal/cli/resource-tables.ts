/**
 * Table rows of `kuma get` (spec §3.4; Kuma app/kumactl/cmd/get/table_printer.go):
 * Mesh, Dataplane and ExternalService have their own columns, every other
 * type gets `MESH NAME AGE` or `NAME AGE` by scope. Rows are built from REST
 * JSON objects, where legacy types are flat. AGE counts from modificationTime.
 */
import type { ResourceDescriptor } from '../resources/registry';
import { age, onOff, tagSetString } from './cells';
import type { Table } from './printers/table';

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** mTLS is `off` or `<type>/<name>` of the enabled backend. */
function meshMtls(item: Obj): string {
  const mtls = obj(item.mtls);
  const enabled = str(mtls.enabledBackend);
  if (!enabled) return 'off';
  const backends = Array.isArray(mtls.backends) ? (mtls.backends as Obj[]) : [];
  const b = backends.find((x) => obj(x).name === enabled);
  return `${str(obj(b).type)}/${enabled}`;
}

/** All inbound and gateway tags of a Dataplane (Dataplane.TagSet()). */
export function dataplaneTags(dp: Obj): string {
  const net = obj(dp.networking);
  const maps: unknown[] = [];
  for (const inbound of Array.isArray(net.inbound) ? net.inbound : []) maps.push(obj(inbound).tags);
  if (net.gateway) maps.push(obj(net.gateway).tags);
  return tagSetString(maps);
}

interface RowPrinter {
  headers: string[];
  row: (item: Obj, now: number) => string[];
}

const CUSTOM: Record<string, RowPrinter> = {
  Mesh: {
    headers: ['NAME', 'mTLS', 'LOCALITY', 'ZONEEGRESS', 'AGE'],
    row: (m, now) => [
      str(m.name),
      meshMtls(m),
      onOff(obj(m.routing).localityAwareLoadBalancing),
      onOff(obj(m.routing).zoneEgress),
      age(m.modificationTime, now),
    ],
  },
  Dataplane: {
    headers: ['MESH', 'NAME', 'TAGS', 'ADDRESS', 'AGE'],
    row: (dp, now) => {
      const net = obj(dp.networking);
      return [str(dp.mesh), str(dp.name), dataplaneTags(dp), str(net.advertisedAddress) || str(net.address), age(dp.modificationTime, now)];
    },
  },
  ExternalService: {
    headers: ['MESH', 'NAME', 'TAGS', 'ADDRESS', 'AGE'],
    row: (es, now) => [str(es.mesh), str(es.name), tagSetString([es.tags]), str(obj(es.networking).address), age(es.modificationTime, now)],
  },
};

const MESH_SCOPED: RowPrinter = {
  headers: ['MESH', 'NAME', 'AGE'],
  row: (r, now) => [str(r.mesh), str(r.name), age(r.modificationTime, now)],
};

const GLOBAL_SCOPED: RowPrinter = {
  headers: ['NAME', 'AGE'],
  row: (r, now) => [str(r.name), age(r.modificationTime, now)],
};

export function resourceTable(d: ResourceDescriptor, items: unknown[], now: number, footer?: string): Table {
  const p = CUSTOM[d.name] ?? (d.scope === 'Mesh' ? MESH_SCOPED : GLOBAL_SCOPED);
  return { headers: p.headers, rows: items.map((i) => p.row(obj(i), now)), footer };
}
