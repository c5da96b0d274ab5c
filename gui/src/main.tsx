import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { usePoll } from './api';
import { Dataplane, Dataplanes } from './pages/dataplanes';
import { Mesh, Meshes } from './pages/meshes';
import { Overview } from './pages/overview';
import { Policies, Policy, PolicyTypes } from './pages/policies';
import { Service, Services } from './pages/services';
import { ZoneProxies, ZoneProxy } from './pages/zone-proxies';
import { Zone, Zones } from './pages/zones';
import { type Route, href, useRoute } from './router';
import './style.css';

function Page({ route }: { route: Route }) {
  const [a, b, c, d, e] = route.segments;
  switch (a) {
    case undefined:
      return <Overview />;
    case 'zones':
      return b ? <Zone name={b} /> : <Zones route={route} />;
    case 'zone-ingresses':
      return b ? <ZoneProxy kind="ingress" name={b} /> : <ZoneProxies kind="ingress" route={route} />;
    case 'zone-egresses':
      return b ? <ZoneProxy kind="egress" name={b} /> : <ZoneProxies kind="egress" route={route} />;
    case 'meshes':
      if (!b) return <Meshes route={route} />;
      if (c === 'dataplanes') return d ? <Dataplane mesh={b} name={d} /> : <Dataplanes mesh={b} route={route} />;
      if (c === 'services') return d ? <Service mesh={b} name={d} /> : <Services mesh={b} route={route} />;
      if (c === 'policies') return !d ? <PolicyTypes mesh={b} /> : e ? <Policy mesh={b} path={d} name={e} /> : <Policies mesh={b} path={d} route={route} />;
      return <Mesh name={b} />;
  }
  return (
    <section>
      <h1>Not found</h1>
      <p>No page at {location.hash}. <a href="#/">Go to the overview</a>.</p>
    </section>
  );
}

const NAV: [string, string][] = [
  ['', 'Overview'],
  ['zones', 'Zones'],
  ['zone-ingresses', 'Zone Ingresses'],
  ['zone-egresses', 'Zone Egresses'],
  ['meshes', 'Meshes'],
];

function App() {
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const info = usePoll('/', 0);
  const config = usePoll('/config', 0);
  // A new page moves focus to its content, so keyboard and screen reader users land on it.
  useEffect(() => main.current?.focus(), [route.segments.join('/')]);
  const here = route.segments[0] ?? '';
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>Skip to content</a>
      <header>
        <a class="brand" href="#/">Kuma</a>
        <span class="mode" data-testid="cp-mode">{info.data ? `${config.data?.mode ?? ''} CP ${info.data.version ?? ''}`.trim() : ''}</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([to, label]) => (
              <li><a href={href(to ? [to] : [])} aria-current={here === to ? 'page' : undefined}>{label}</a></li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
