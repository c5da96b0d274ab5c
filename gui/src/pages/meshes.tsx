import { enc, getJson, qs, usePoll } from '../api';
import type { Route } from '../router';
import { A, Fields, Filters, Loading, Pager, Table } from '../ui';

const SIZE = 50;
/** The policies Kuma creates with a new Mesh (unless skipCreatingInitialPolicies): type, API path, name stem. */
const DEFAULT_POLICIES: [string, string, string][] = [
  ['MeshTimeout', 'meshtimeouts', 'mesh-timeout-all'],
  ['MeshCircuitBreaker', 'meshcircuitbreakers', 'mesh-circuit-breaker-all'],
  ['MeshRetry', 'meshretries', 'mesh-retry-all'],
];

function mtlsState(spec: any): [string, string] {
  const enabled = spec?.mtls?.enabledBackend;
  if (!enabled) return ['off', '—'];
  const b = (spec.mtls.backends ?? []).find((x: any) => x.name === enabled);
  return [b?.mode === 'PERMISSIVE' ? 'permissive' : 'strict', `${enabled} (${b?.type ?? '?'})`];
}

export function Meshes({ route }: { route: Route }) {
  const offset = Number(route.query.get('offset') ?? 0);
  const p = usePoll(`/meshes${qs({ size: SIZE, offset, name: route.query.get('name') ?? '' })}`);
  return (
    <section>
      <h1>Meshes</h1>
      <Filters route={route} fields={[{ key: 'name', label: 'Name' }]} />
      <Loading p={p}>
        {(page: any) => (
          <>
            <Table caption="Meshes" head={['Name', 'mTLS', 'Backend', 'Proxies', 'Services', 'Policies']} empty={!page.items.length}>
              {page.items.map((m: any) => {
                const [state, backend] = mtlsState(m);
                return (
                  <tr data-row={m.name}>
                    <td><A to={['meshes', m.name]}>{m.name}</A></td>
                    <td>{state}</td>
                    <td>{backend}</td>
                    <td><A to={['meshes', m.name, 'dataplanes']}>proxies</A></td>
                    <td><A to={['meshes', m.name, 'services']}>services</A></td>
                    <td><A to={['meshes', m.name, 'policies']}>policies</A></td>
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

async function meshDetail(path: string) {
  const mesh = decodeURIComponent(path.split('/')[2]!);
  const [spec, insight, defaults] = await Promise.all([
    getJson(path),
    getJson(`/mesh-insights/${enc(mesh)}`).catch(() => undefined),
    Promise.all(DEFAULT_POLICIES.map(([type, p, stem]) => getJson(`/meshes/${enc(mesh)}/${p}/${enc(`${stem}-${mesh}`)}`).then(() => [type, `${stem}-${mesh}`, p], () => null))),
  ]);
  return { spec, insight, defaults: defaults.filter(Boolean) as [string, string, string][] };
}

export function Mesh({ name }: { name: string }) {
  const p = usePoll(`/meshes/${enc(name)}`, undefined, meshDetail);
  return (
    <section>
      <h1>Mesh {name}</h1>
      <nav aria-label="Mesh sections" class="subnav">
        <A to={['meshes', name, 'dataplanes']}>Data plane proxies</A> <A to={['meshes', name, 'services']}>Services</A> <A to={['meshes', name, 'policies']}>Policies</A>
      </nav>
      <Loading p={p}>
        {({ spec, insight, defaults }) => {
          const [state, backend] = mtlsState(spec);
          const dps = insight?.dataplanes ?? {};
          return (
            <>
              <Fields rows={[['mTLS', state], ['mTLS backend', backend], ['Proxies online', `${dps.online ?? 0} / ${dps.total ?? 0}`], ['Services', String(insight?.services?.total ?? 0)]]} />
              <Table caption="Default policies (created with the mesh)" head={['Type', 'Name']} empty={!defaults.length}>
                {defaults.map(([type, n, path]) => (
                  <tr data-row={n}>
                    <td>{type}</td>
                    <td><A to={['meshes', name, 'policies', path, n]}>{n}</A></td>
                  </tr>
                ))}
              </Table>
            </>
          );
        }}
      </Loading>
    </section>
  );
}
