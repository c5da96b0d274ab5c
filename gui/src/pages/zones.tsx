import { enc, qs, usePoll } from '../api';
import type { Route } from '../router';
import { A, Fields, Filters, Loading, Pager, Status, Table, lastSub, online, time } from '../ui';

const SIZE = 50;
const zoneOnline = (z: any) => z.zone?.enabled !== false && online(z.zoneInsight);

export function Zones({ route }: { route: Route }) {
  const offset = Number(route.query.get('offset') ?? 0);
  const p = usePoll(`/zones/_overview${qs({ size: SIZE, offset, name: route.query.get('name') ?? '', status: route.query.get('status') ?? '' })}`);
  return (
    <section>
      <h1>Zones</h1>
      <Filters route={route} fields={[{ key: 'name', label: 'Name' }, { key: 'status', label: 'Status', options: [['', 'Any'], ['online', 'Online'], ['offline', 'Offline']] }]} />
      <Loading p={p}>
        {(page: any) => (
          <>
            <Table caption="Zone control planes" head={['Name', 'Status', 'Last connected', 'CP version']} empty={!page.items.length}>
              {page.items.map((z: any) => {
                const s = lastSub(z.zoneInsight);
                return (
                  <tr data-row={z.name}>
                    <td><A to={['zones', z.name]}>{z.name}</A></td>
                    <td><Status on={zoneOnline(z)} label={z.zone?.enabled === false ? 'Disabled' : undefined} /></td>
                    <td>{time(s?.connectTime)}</td>
                    <td>{s?.version?.kumaCp?.version ?? '—'}</td>
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

export function Zone({ name }: { name: string }) {
  const p = usePoll(`/zones/${enc(name)}/_overview`);
  return (
    <section>
      <h1>Zone {name}</h1>
      <Loading p={p}>
        {(z: any) => {
          const subs: any[] = [...(z.zoneInsight?.subscriptions ?? [])].reverse();
          return (
            <>
              <Fields rows={[['Status', <Status on={zoneOnline(z)} />], ['Last connected', time(subs[0]?.connectTime)], ['CP version', subs[0]?.version?.kumaCp?.version ?? '—'], ['Enabled', String(z.zone?.enabled !== false)]]} />
              <h2>KDS subscriptions</h2>
              {subs.length === 0 && <p>No subscription yet.</p>}
              {subs.map((s) => (
                <article class="sub" aria-label={`Subscription ${s.id}`}>
                  <Fields rows={[['Id', s.id], ['Global instance', s.globalInstanceId ?? '—'], ['Zone instance', s.zoneInstanceId ?? '—'], ['Connected', time(s.connectTime)], ['Disconnected', time(s.disconnectTime)], ['Last update', time(s.status?.lastUpdateTime)]]} />
                  <Table caption="Per type" head={['Type', 'Sent', 'Acknowledged', 'Rejected']} empty={!Object.keys(s.status?.stat ?? {}).length}>
                    {Object.entries(s.status?.stat ?? {}).map(([t, st]: [string, any]) => (
                      <tr>
                        <td>{t}</td>
                        <td>{st.responsesSent ?? '0'}</td>
                        <td>{st.responsesAcknowledged ?? '0'}</td>
                        <td>{st.responsesRejected ?? '0'}</td>
                      </tr>
                    ))}
                  </Table>
                </article>
              ))}
            </>
          );
        }}
      </Loading>
    </section>
  );
}
