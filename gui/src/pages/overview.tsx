import { usePoll } from '../api';
import { A, Loading } from '../ui';

/** Counts from GET /global-insight (every CP serves it). */
export function Overview() {
  const p = usePoll('/global-insight');
  return (
    <section>
      <h1>Overview</h1>
      <Loading p={p}>
        {(g: any) => {
          const dp = g.dataplanes;
          const dpOnline = dp.standard.online + dp.gatewayBuiltin.online + dp.gatewayDelegated.online;
          const dpTotal = dp.standard.total + dp.gatewayBuiltin.total + dp.gatewayDelegated.total;
          const z = g.zones.controlPlanes;
          const cards: [string, string, string[]][] = [
            ['Zones online', `${z.online} / ${z.total}`, ['zones']],
            ['Zones offline', `${z.total - z.online}`, ['zones']],
            ['Zone ingresses online', `${g.zones.zoneIngresses.online} / ${g.zones.zoneIngresses.total}`, ['zone-ingresses']],
            ['Zone egresses online', `${g.zones.zoneEgresses.online} / ${g.zones.zoneEgresses.total}`, ['zone-egresses']],
            ['Meshes', `${g.meshes.total}`, ['meshes']],
            ['Proxies online', `${dpOnline} / ${dpTotal}`, ['meshes']],
            ['Services', `${g.services.total}`, ['meshes']],
            ['Policies', `${g.policies.total}`, ['meshes']],
          ];
          return (
            <ul class="cards" aria-label="Counts">
              {cards.map(([label, value, to]) => (
                <li data-card={label}>
                  <A to={to}>
                    <span class="value">{value}</span> <span class="label">{label}</span>
                  </A>
                </li>
              ))}
            </ul>
          );
        }}
      </Loading>
    </section>
  );
}
