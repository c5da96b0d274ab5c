/** `kuma inspect <type> NAME --propagation` as a table: the global row, zone rows, proxy rows under their zone. */
import { describe, expect, it } from 'vitest';
import { renderTable } from '../../../internal/cli/printers/table';
import { propagationTable } from '../../../internal/cli/propagation-text';

describe('propagationTable', () => {
  it('prints the global, each zone with its state and each proxy with its ACK or Envoy error', () => {
    const body = {
      resource: { type: 'MeshTimeout', mesh: 'default', name: 'mt-1', version: 3, modificationTime: '2026-12-03T17:00:00.000Z' },
      zones: [
        {
          zone: 'zone-1',
          state: 'Synced',
          synced: true,
          version: 3,
          ackedAt: '2026-12-03T17:00:01.000Z',
          note: '',
          proxies: {
            total: 3,
            acked: 1,
            items: [
              { mesh: 'default', name: 'bad-1', state: 'NACKed', error: "Error adding/updating listener(s) inbound:127.0.0.1:9:\ncannot bind '127.0.0.1:9': Address already in use" },
              { mesh: 'default', name: 'web-1', state: 'ACKed', ackedAt: '2026-12-03T17:00:02.000Z' },
              { mesh: 'default', name: 'web-2', state: 'Pending', waitingFor: ['CDS', 'EDS'] },
            ],
          },
        },
        { zone: 'zone-2', state: 'Offline', synced: false, note: 'zone offline: no KDS stream to this global' },
        { zone: 'zone-3', state: 'Synced', synced: true, version: 3, ackedAt: '2026-12-03T17:00:01.000Z', note: '', proxiesNote: 'zone "zone-3" did not answer' },
      ],
    };
    expect(renderTable(propagationTable(body))).toBe(
      [
        'WHERE         STATE     VERSION   WHEN                       DETAIL',
        'global        Stored    3         2026-12-03T17:00:00.000Z   MeshTimeout default/mt-1',
        'zone-1        Synced    3         2026-12-03T17:00:01.000Z   1/3 proxies ACKed',
        "  bad-1       NACKed              -                          Error adding/updating listener(s) inbound:127.0.0.1:9: cannot bind '127.0.0.1:9': Address already in use",
        '  web-1       ACKed               2026-12-03T17:00:02.000Z   ',
        '  web-2       Pending             -                          waiting for the ACK of CDS, EDS',
        'zone-2        Offline   -         -                          zone offline: no KDS stream to this global',
        'zone-3        Synced    3         2026-12-03T17:00:01.000Z   ',
        '  (proxies)                                                  zone "zone-3" did not answer',
        '',
      ].join('\n'),
    );
  });

  it('a zone proxy row carries its kind; a disconnected one says why', () => {
    const body = {
      resource: { type: 'MeshExternalService', mesh: 'zp', name: 'ext', version: 2, modificationTime: '2026-12-03T17:00:00.000Z' },
      zones: [
        {
          zone: 'zone-1',
          state: 'Synced',
          synced: true,
          version: 2,
          ackedAt: '2026-12-03T17:00:01.000Z',
          note: '',
          proxies: { total: 1, acked: 0, items: [{ kind: 'ZoneEgress', mesh: '', name: 'ze-1', state: 'Disconnected', note: "not connected to zone-1's control plane since 2026-12-03T17:00:05.000Z" }] },
        },
      ],
    };
    expect(renderTable(propagationTable(body)).split('\n').slice(2, 4)).toEqual([
      'zone-1              Synced         2         2026-12-03T17:00:01.000Z   0/1 proxies ACKed',
      "  ZoneEgress/ze-1   Disconnected             -                          not connected to zone-1's control plane since 2026-12-03T17:00:05.000Z",
    ]);
  });
});
