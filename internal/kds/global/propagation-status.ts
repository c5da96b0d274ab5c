/**
 * Where one stored resource stands in each zone, from what the global
 * knows: whether the zone is connected, whether the record crosses to it at
 * all (filters.ts), and what its sender sent and the zone answered
 * (delivery-ledger.ts). Pure over its inputs; the proxies column is added
 * by the caller from the zone's own answer.
 */
import type { Resource } from '../../resources/model';
import type { ResourceDescriptor } from '../../resources/registry';
import { whyNotToZone, type ZoneLookup } from '../filters';
import { parseWireName } from '../wire';
import type { ZoneSyncView } from './zone-sync-views';

export type ZoneSyncState = 'Synced' | 'Pending' | 'NACKed' | 'Offline' | 'OtherInstance' | 'Disabled' | 'Filtered' | 'Unencodable';

export interface ZonePropagation {
  zone: string;
  state: ZoneSyncState;
  synced: boolean;
  /** The global's store version the zone holds (only when it holds the current one). */
  version?: number;
  /** The name the record has on the zone's side (hashed for zones that advertise hash-suffix). */
  zoneName?: string;
  sentAt?: string;
  ackedAt?: string;
  error?: string;
  note: string;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** What the zone's ZoneInsight says of its last KDS subscription, for a zone with no stream to this instance. */
export interface LastSubscription {
  globalInstanceId?: string;
  disconnectTime?: string;
}

export function zonePropagation(d: ResourceDescriptor, r: Resource, zone: string, enabled: boolean, view: ZoneSyncView | undefined, zones: ZoneLookup, last?: LastSubscription, instanceId?: string): ZonePropagation {
  if (!enabled) return { zone, state: 'Disabled', synced: false, note: 'zone disabled (Zone spec.enabled: false): the global sends it nothing' };
  const why = whyNotToZone(d, r, zone, zones);
  if (why) return { zone, state: 'Filtered', synced: false, note: `not sent to this zone: ${why}` };
  if (!view) {
    // With several global instances the zone may hold its stream on another one, which alone knows what it sent.
    if (last && !last.disconnectTime && last.globalInstanceId && last.globalInstanceId !== instanceId) {
      return { zone, state: 'OtherInstance', synced: false, note: `no KDS stream to this global instance; the zone's open subscription is to instance "${last.globalInstanceId}": ask that instance` };
    }
    return { zone, state: 'Offline', synced: false, note: `zone offline: no KDS stream to this global${last?.disconnectTime ? ` (last disconnected ${last.disconnectTime})` : ''}` };
  }
  const enc = view.encodingFor(d, r);
  if ('filtered' in enc) return { zone, state: 'Filtered', synced: false, note: 'not sent to this zone (KDS filters)' };
  if ('unencodable' in enc) return { zone, state: 'Unencodable', synced: false, note: 'its spec cannot be encoded for KDS (see the global log); it is not sent' };
  // The wire name is "<name>.<mesh>"; the zone stores the record under <name>.
  const base = { zone, zoneName: parseWireName(enc.wireName).name };
  if (!view.subscribed(d.name)) return { ...base, state: 'Pending', synced: false, note: `the zone has not subscribed to ${d.name} yet` };
  const dl = view.delivery(d.name, enc.wireName);
  if (!dl || dl.version !== enc.version) return { ...base, state: 'Pending', synced: false, ...(dl?.ackedAtMs ? { ackedAt: iso(dl.ackedAtMs) } : {}), note: dl ? 'the zone holds an older version; the current one is about to be sent' : 'not sent yet' };
  const sent = { ...base, sentAt: iso(dl.sentAtMs) };
  if (dl.ackedVersion === enc.version) return { ...sent, state: 'Synced', synced: true, version: r.version, ackedAt: iso(dl.ackedAtMs), note: '' };
  if (dl.nack?.version === enc.version) return { ...sent, state: 'NACKed', synced: false, error: dl.nack.error, note: `the zone rejected it: ${dl.nack.error}` };
  return { ...sent, state: 'Pending', synced: false, ...(dl.ackedAtMs ? { ackedAt: iso(dl.ackedAtMs) } : {}), note: dl.ackedVersion ? 'sent; the zone ACKed an older version and not this one yet' : 'sent; not ACKed yet' };
}
