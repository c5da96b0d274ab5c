import { enc, qs, usePoll } from '../api';
import type { Route } from '../router';
import { A, Fields, Filters, Loading, Pager, Table } from '../ui';

const SIZE = 50;

export function Services({ mesh, route }: { mesh: string; route: Route }) {
  const offset = Number(route.query.get('offset') ?? 0);
  const p = usePoll(`/meshes/${enc(mesh)}/service-insights${qs({ size: SIZE, offset, name: route.query.get('name') ?? '' })}`);
  return (
    <section>
      <h1>Services in {mesh}</h1>
      <Filters route={route} fields={[{ key: 'name', label: 'Name' }]} />
      <Loading p={p}>
        {(page: any) => (
          <>
            <Table caption="Services" head={['Name', 'Status', 'Online / total', 'Zones']} empty={!page.items.length}>
              {page.items.map((s: any) => (
                <tr data-row={s.name}>
                  <td><A to={['meshes', mesh, 'services', s.name]}>{s.name}</A></td>
                  <td>{s.status ?? '—'}</td>
                  <td>{s.dataplanes?.online ?? 0} / {s.dataplanes?.total ?? 0}</td>
                  <td>{(s.zones ?? []).join(', ') || '—'}</td>
                </tr>
              ))}
            </Table>
            <Pager route={route} total={page.total} size={SIZE} offset={offset} />
          </>
        )}
      </Loading>
    </section>
  );
}

export function Service({ mesh, name }: { mesh: string; name: string }) {
  const p = usePoll(`/meshes/${enc(mesh)}/service-insights/${enc(name)}`);
  return (
    <section>
      <h1>Service {name}</h1>
      <Loading p={p}>
        {(s: any) => (
          <>
            <Fields rows={[['Status', s.status ?? '—'], ['Online / total', `${s.dataplanes?.online ?? 0} / ${s.dataplanes?.total ?? 0}`], ['Zones', (s.zones ?? []).join(', ') || '—'], ['Address', s.addressPort ?? '—']]} />
            <A to={['meshes', mesh, 'dataplanes']} query={{ tag: `kuma.io/service:${name}` }}>Proxies of {name}</A>
          </>
        )}
      </Loading>
    </section>
  );
}
