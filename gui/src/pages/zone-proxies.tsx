import { enc, qs, usePoll } from '../api';
import type { Route } from '../router';
import { A, Fields, Filters, Loading, Pager, Status, Table, Tags, lastSub, online, time } from '../ui';

const SIZE = 50;

/** Zone ingresses and egresses share their pages: `kind` picks the API paths and fields. */
const KINDS = {
  ingress: { title: 'Zone Ingresses', one: 'Zone Ingress', route: 'zone-ingresses', api: 'zoneingresses', field: 'zoneIngress', insight: 'zoneIngressInsight' },
  egress: { title: 'Zone Egresses', one: 'Zone Egress', route: 'zone-egresses', api: 'zoneegresses', field: 'zoneEgress', insight: 'zoneEgressInsight' },
};
type Kind = keyof typeof KINDS;

const addr = (n: any) => (n?.address ? `${n.address}:${n.port ?? ''}` : '—');
const advertised = (n: any) => (n?.advertisedAddress ? `${n.advertisedAddress}:${n.advertisedPort ?? ''}` : '—');

export function ZoneProxies({ kind, route }: { kind: Kind; route: Route }) {
  const k = KINDS[kind];
  const offset = Number(route.query.get('offset') ?? 0);
  const name = route.query.get('name') ?? '';
  const status = route.query.get('status') ?? '';
  const p = usePoll(`/${k.api}/_overview${qs({ size: SIZE, offset, name, status })}`);
  return (
    <section>
      <h1>{k.title}</h1>
      <Filters route={route} fields={[{ key: 'name', label: 'Name' }, { key: 'status', label: 'Status', options: [['', 'Any'], ['online', 'Online'], ['offline', 'Offline']] }]} />
      <Loading p={p}>
        {(page: any) => (
          <>
            <Table caption={k.title} head={kind === 'ingress' ? ['Name', 'Zone', 'Status', 'Address', 'Advertised address', 'Services'] : ['Name', 'Zone', 'Status', 'Address']} empty={!page.items.length}>
              {page.items.map((r: any) => {
                const spec = r[k.field] ?? {};
                return (
                  <tr data-row={r.name}>
                    <td><A to={[k.route, r.name]}>{r.name}</A></td>
                    <td>{spec.zone || r.labels?.['kuma.io/zone'] || '—'}</td>
                    <td><Status on={online(r[k.insight])} /></td>
                    <td>{addr(spec.networking)}</td>
                    {kind === 'ingress' && <td>{advertised(spec.networking)}</td>}
                    {kind === 'ingress' && <td>{(spec.availableServices ?? []).length}</td>}
                  </tr>
                );
              })}
            </Table>
            <Pager route={route} total={page.total} size={SIZE} offset={offset} />
          </>
        )}
      </Loading>
    </section>
  );
}

export function ZoneProxy({ kind, name }: { kind: Kind; name: string }) {
  const k = KINDS[kind];
  const p = usePoll(`/${k.api}/${enc(name)}/_overview`);
  return (
    <section>
      <h1>{k.one} {name}</h1>
      <Loading p={p}>
        {(r: any) => {
          const spec = r[k.field] ?? {};
          const s = lastSub(r[k.insight]);
          return (
            <>
              <Fields rows={[['Status', <Status on={online(r[k.insight])} />], ['Zone', spec.zone || r.labels?.['kuma.io/zone'] || '—'], ['Address', addr(spec.networking)], ['Advertised address', advertised(spec.networking)], ['Connected', time(s?.connectTime)], ['Envoy', s?.version?.envoy?.version ?? '—']]} />
              {kind === 'ingress' && (
                <Table caption="Available services" head={['Service', 'Mesh', 'Instances', 'Zone', 'Tags']} empty={!(spec.availableServices ?? []).length}>
                  {(spec.availableServices ?? []).map((a: any) => (
                    <tr data-service={a.tags?.['kuma.io/service']}>
                      <td>{a.tags?.['kuma.io/service']}</td>
                      <td>{a.mesh}</td>
                      <td>{a.instances}</td>
                      <td>{a.tags?.['kuma.io/zone'] ?? '—'}</td>
                      <td><Tags tags={a.tags} /></td>
                    </tr>
                  ))}
                </Table>
              )}
            </>
          );
        }}
      </Loading>
    </section>
  );
}
