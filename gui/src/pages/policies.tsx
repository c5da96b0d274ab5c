import { enc, getJson, qs, usePoll } from '../api';
import type { Route } from '../router';
import { toYaml } from '../yaml';
import { A, Filters, Loading, Pager, Table } from '../ui';

const SIZE = 50;

export function PolicyTypes({ mesh }: { mesh: string }) {
  const p = usePoll('/policies', 0);
  return (
    <section>
      <h1>Policies in {mesh}</h1>
      <Loading p={p}>
        {(d: any) => (
          <ul class="types" aria-label="Policy types">
            {d.policies.map((t: any) => (
              <li><A to={['meshes', mesh, 'policies', t.path]}>{t.name}</A></li>
            ))}
          </ul>
        )}
      </Loading>
    </section>
  );
}

export function Policies({ mesh, path, route }: { mesh: string; path: string; route: Route }) {
  const offset = Number(route.query.get('offset') ?? 0);
  const p = usePoll(`/meshes/${enc(mesh)}/${enc(path)}${qs({ size: SIZE, offset, name: route.query.get('name') ?? '' })}`);
  return (
    <section>
      <h1>{path} in {mesh}</h1>
      <Filters route={route} fields={[{ key: 'name', label: 'Name' }]} />
      <Loading p={p}>
        {(page: any) => (
          <>
            <Table caption={path} head={['Name', 'Type', 'Zone', 'Origin']} empty={!page.items.length}>
              {page.items.map((r: any) => (
                <tr data-row={r.name}>
                  <td><A to={['meshes', mesh, 'policies', path, r.name]}>{r.name}</A></td>
                  <td>{r.type}</td>
                  <td>{r.labels?.['kuma.io/zone'] ?? '—'}</td>
                  <td>{r.labels?.['kuma.io/origin'] ?? '—'}</td>
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

/** The policy and, where the CP answers `_resources/dataplanes`, the proxies it affects. */
async function policyDetail(path: string) {
  const [doc, affected] = await Promise.all([getJson(path), getJson(`${path}/_resources/dataplanes?size=100`).catch(() => undefined)]);
  return { doc, affected };
}

export function Policy({ mesh, path, name }: { mesh: string; path: string; name: string }) {
  const p = usePoll(`/meshes/${enc(mesh)}/${enc(path)}/${enc(name)}`, undefined, policyDetail);
  return (
    <section>
      <h1>{name}</h1>
      <Loading p={p}>
        {({ doc, affected }) => (
          <>
            <pre class="code" aria-label="YAML" data-yaml>{toYaml(doc)}</pre>
            {affected && Array.isArray(affected.items) && (
              <Table caption={`Affected proxies (${affected.total})`} head={['Proxy']} empty={!affected.items.length}>
                {affected.items.map((d: any) => (
                  <tr data-affected={d.name}>
                    <td><A to={['meshes', d.mesh ?? mesh, 'dataplanes', d.name]}>{d.name}</A></td>
                  </tr>
                ))}
              </Table>
            )}
          </>
        )}
      </Loading>
    </section>
  );
}
