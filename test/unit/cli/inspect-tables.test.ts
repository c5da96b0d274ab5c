import { describe, expect, it } from 'vitest';
import { dataplaneStatus, isOnline, serviceStatus } from '../../../internal/cli/insight-status';
import { dataplaneOverviewsTable, meshInsightsTable, serviceInsightsTable, zoneOverviewsTable, zoneProxyOverviewsTable } from '../../../internal/cli/inspect-tables';
import { renderTable } from '../../../internal/cli/printers/table';

const now = Date.parse('2026-01-01T12:00:00Z');
const connected = { subscriptions: [{ connectTime: '2026-01-01T11:00:00Z', disconnectTime: '2026-01-01T11:30:00Z' }, { connectTime: '2026-01-01T11:58:00Z', status: { lastUpdateTime: '2026-01-01T11:59:30Z', total: { responsesSent: '7', responsesRejected: '1' } } }] };
const inbound = (port: number, extra: Record<string, unknown> = {}) => ({ port, tags: { 'kuma.io/service': 'web' }, ...extra });

describe('online and dataplane status', () => {
  it('is online only with a subscription connected and not disconnected', () => {
    expect(isOnline(connected)).toBe(true);
    expect(isOnline({ subscriptions: [{ connectTime: 'x', disconnectTime: 'y' }] })).toBe(false);
    expect(isOnline(undefined)).toBe(false);
  });

  it('derives Online, Offline and Partially degraded from inbound readiness', () => {
    const dp = (inbounds: unknown[]) => ({ networking: { address: '1.1.1.1', inbound: inbounds } });
    expect(dataplaneStatus(dp([inbound(1)]), connected)).toEqual({ status: 'Online', notes: [] });
    expect(dataplaneStatus(dp([inbound(1)]), {})).toEqual({ status: 'Offline', notes: [] });
    expect(dataplaneStatus(dp([inbound(1), inbound(2, { health: { ready: false } })]), connected)).toEqual({
      status: 'Partially degraded',
      notes: ['inbound[port=2,svc=web] is not ready'],
    });
    expect(dataplaneStatus(dp([inbound(1, { state: 'NotReady' })]), connected).status).toBe('Offline');
    // An Ignored inbound serves no traffic and does not degrade the proxy.
    expect(dataplaneStatus(dp([inbound(1), inbound(2, { state: 'Ignored' })]), connected).status).toBe('Online');
    expect(dataplaneStatus({ networking: { gateway: { tags: { 'kuma.io/service': 'gw' } } } }, connected).status).toBe('Online');
  });

  it('maps service insight statuses', () => {
    expect(serviceStatus('online')).toBe('Online');
    expect(serviceStatus('partially_degraded')).toBe('Partially degraded');
    expect(serviceStatus('not_available')).toBe('Offline');
    expect(serviceStatus(undefined)).toBe('Offline');
  });
});

describe('inspect tables', () => {
  it('inspect dataplanes: all 17 columns', () => {
    const t = dataplaneOverviewsTable(
      [
        {
          mesh: 'default',
          name: 'web-1',
          dataplane: { networking: { address: '1.1.1.1', inbound: [inbound(8080, { tags: { 'kuma.io/service': 'web', version: 'v1' } })] } },
          dataplaneInsight: {
            ...connected,
            mTLS: { certificateExpirationTime: '2026-01-02T12:00:00Z', lastCertificateRegeneration: '2026-01-01T11:00:00Z', certificateRegenerations: 2, issuedBackend: 'ca-1', supportedBackends: ['ca-1', 'ca-2'] },
          },
        },
      ],
      now,
    );
    expect(t.headers).toHaveLength(17);
    expect(t.rows[0]).toEqual(['default', 'web-1', 'kuma.io/service=web version=v1', 'Online', '2m', '30s', '7', '1', '1h', '2026-01-02 12:00:00', '2', 'ca-1', 'ca-1,ca-2', '', '', '-', '']);
  });

  it('inspect dataplanes without insight: never, -, and the versions of the last subscription', () => {
    const t = dataplaneOverviewsTable(
      [
        {
          mesh: 'm',
          name: 'a',
          dataplane: { networking: { inbound: [inbound(1)] } },
          dataplaneInsight: { subscriptions: [{ connectTime: '2026-01-01T11:00:00Z', version: { kumaDp: { version: '2.14.0' }, envoy: { version: '1.34' }, dependencies: { coredns: '1.11' } } }] },
        },
        { mesh: 'm', name: 'b', dataplane: { networking: { inbound: [inbound(1)] } } },
      ],
      now,
    );
    expect(t.rows[0]!.slice(13)).toEqual(['2.14.0', '1.34', 'coredns: 1.11', '']);
    expect(t.rows[1]).toEqual(['m', 'b', 'kuma.io/service=web', 'Offline', 'never', 'never', '0', '0', 'never', '-', '0', '-', '', '', '', '-', '']);
  });

  it('inspect zones: Online needs the insight online and the zone not disabled; BACKEND from the config string', () => {
    const insight = { subscriptions: [{ ...connected.subscriptions[1], version: { kumaCp: { version: '2.14.0' } }, config: JSON.stringify({ store: { type: 'memory' } }) }] };
    const t = zoneOverviewsTable(
      [
        { name: 'z1', zone: { enabled: true }, zoneInsight: insight },
        { name: 'z2', zone: { enabled: false }, zoneInsight: insight },
        { name: 'z3', zone: {} },
      ],
      now,
    );
    expect(t.rows).toEqual([
      ['z1', 'Online', '2m', '30s', '7', '1', '2.14.0', 'memory'],
      ['z2', 'Offline', '2m', '30s', '7', '1', '2.14.0', 'memory'],
      ['z3', 'Offline', 'never', 'never', '0', '0', '', ''],
    ]);
    expect(renderTable(t).split('\n')[0]).toBe('NAME   STATUS    LAST CONNECTED AGO   LAST UPDATED AGO   TOTAL UPDATES   TOTAL ERRORS   ZONE-CP VERSION   BACKEND');
  });

  it('inspect zone ingresses and egresses read the named insight field', () => {
    const t = zoneProxyOverviewsTable([{ name: 'zi', zoneIngressInsight: connected }], 'zoneIngressInsight', now);
    expect(t.rows).toEqual([['zi', 'Online', '2m', '30s', '7', '1', '', '']]);
  });

  it('inspect meshes reads policies (or resources) totals', () => {
    const t = meshInsightsTable([{ name: 'default', dataplanes: { online: 1, total: 3 }, policies: { TrafficPermission: { total: 2 } }, resources: { RateLimit: { total: 4 } } }]);
    expect(t.rows[0]).toEqual(['default', '1/3', '2', '0', '0', '0', '0', '0', '0', '0', '0', '4']);
  });

  it('inspect services shows status and online/total', () => {
    expect(serviceInsightsTable([{ name: 'web', status: 'partially_degraded', dataplanes: { online: 1, offline: 1, total: 2 } }]).rows).toEqual([['web', 'Partially degraded', '1/2']]);
  });
});
