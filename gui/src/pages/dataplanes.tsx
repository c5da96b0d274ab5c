import { useState } from 'preact/hooks';
import { enc, getText, qs, usePoll } from '../api';
import type { Route } from '../router';
import { A, Fields, Filters, Loading, Pager, Status, Table, Tags, lastSub, online, time } from '../ui';

const SIZE = 50;

function inboundTags(dp: any): Record<string, string> {
  const n = dp?.networking ?? {};
  return Object.assign({}, ...(n.inbound ?? []).map((i: any) => i.tags ?? {}), n.gateway?.tags ?? {});
}

export function Dataplanes({ mesh, route }: { mesh: string; route: Route }) {
  const offset = Number(route.query.get('offset') ?? 0);
  const q = (k: string) => route.query.get(k) ?? '';
  const p = usePoll(`/meshes/${enc(mesh)}/dataplanes/_overview${qs({ size: SIZE, offset, name: q('name'), tag: q('tag'), zone: q('zone'), status: q('status') })}`);
  return (
    <section>
      <h1>Data plane proxies in {mesh}</h1>
      <Filters
        route={route}
        fields={[
          { key: 'name', label: 'Name' },
          { key: 'tag', label: 'Tag', placeholder: 'kuma.io/service:web' },
          { key: 'zone', label: 'Zone' },
          { key: 'status', label: 'Status', options: [['', 'Any'], ['online', 'Online'], ['offline', 'Offline']] },
        ]}
      />
      <Loading p={p}>
        {(page: any) => (
          <>
            <Table caption="Data plane proxies" head={['Name', 'Status', 'Zone', 'Service', 'Certificate expires']} empty={!page.items.length}>
              {page.items.map((r: any) => {
                const tags = inboundTags(r.dataplane);
                return (
                  <tr data-row={r.name}>
                    <td><A to={['meshes', mesh, 'dataplanes', r.name]}>{r.name}</A></td>
                    <td><Status on={online(r.dataplaneInsight)} /></td>
                    <td>{r.labels?.['kuma.io/zone'] ?? tags['kuma.io/zone'] ?? '—'}</td>
                    <td>{tags['kuma.io/service'] ?? '—'}</td>
                    <td>{time(r.dataplaneInsight?.mTLS?.certificateExpirationTime)}</td>
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

/** Envoy's config dump or stats through the inspect routes, loaded on demand (they ask the proxy's Envoy). */
function Inspect({ mesh, name, what }: { mesh: string; name: string; what: 'xds' | 'stats' }) {
  const [text, setText] = useState<string>();
  const [busy, setBusy] = useState(false);
  const load = async () => {
    setBusy(true);
    try {
      setText(await getText(`/meshes/${enc(mesh)}/dataplanes/${enc(name)}/${what}`));
    } catch (e) {
      setText(String((e as Error).message));
    }
    setBusy(false);
  };
  const label = what === 'xds' ? 'Envoy config' : 'Envoy stats';
  return (
    <div>
      <button type="button" onClick={load} disabled={busy}>{text === undefined ? `Show ${label}` : `Reload ${label}`}</button>
      {text !== undefined && <pre class="code" aria-label={label} data-inspect={what}>{text.length > 200_000 ? text.slice(0, 200_000) + '\n…' : text}</pre>}
    </div>
  );
}

export function Dataplane({ mesh, name }: { mesh: string; name: string }) {
  const p = usePoll(`/meshes/${enc(mesh)}/dataplanes/${enc(name)}/_overview`);
  return (
    <section>
      <h1>Proxy {name}</h1>
      <Loading p={p}>
        {(r: any) => {
          const ins = r.dataplaneInsight;
          const s = lastSub(ins);
          const types = Object.entries(s?.status ?? {}).filter(([k]) => k !== 'lastUpdateTime') as [string, any][];
          return (
            <>
              <Fields
                rows={[
                  ['Status', <Status on={online(ins)} />],
                  ['Mesh', <A to={['meshes', mesh]}>{mesh}</A>],
                  ['Zone', r.labels?.['kuma.io/zone'] ?? inboundTags(r.dataplane)['kuma.io/zone'] ?? '—'],
                  ['Address', r.dataplane?.networking?.address ?? '—'],
                  ['Tags', <Tags tags={inboundTags(r.dataplane)} />],
                  ['Certificate expires', time(ins?.mTLS?.certificateExpirationTime)],
                  ['Connected', time(s?.connectTime)],
                  ['Envoy', s?.version?.envoy?.version ?? '—'],
                ]}
              />
              <Table caption="xDS (last subscription)" head={['Type', 'Sent', 'ACK', 'NACK', 'Last NACK error']} empty={!types.length}>
                {types.map(([t, st]) => (
                  <tr data-xds={t}>
                    <td>{t.toUpperCase()}</td>
                    <td>{st.responsesSent ?? '0'}</td>
                    <td>{st.responsesAcknowledged ?? '0'}</td>
                    <td>{st.responsesRejected ?? '0'}</td>
                    <td>{st.lastRejectedError ? <code class="nack">{st.lastRejectedError}</code> : '—'}</td>
                  </tr>
                ))}
              </Table>
              <h2>Envoy</h2>
              <Inspect mesh={mesh} name={name} what="xds" />
              <Inspect mesh={mesh} name={name} what="stats" />
            </>
          );
        }}
      </Loading>
    </section>
  );
}
