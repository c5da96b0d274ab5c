/**
 * Zone authentication on the global's KDS port. The zone names itself in
 * `client-id`; with zone-token auth it must also present a zone token of
 * scope `cp` for that very zone, signed by the global's zone signing key.
 * `none` (a lab switch) trusts `client-id` alone.
 */
import * as grpc from '@grpc/grpc-js';
import type { ResourceStore } from '../../store/resource-store';
import { KdsAuthError, type ZoneAuthenticator } from './kds-server';

const ZONE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export type ZoneTokenVerifier = (store: ResourceStore, token: string, zone: string) => Promise<void>;

export function zoneAuthenticator(mode: string, store: ResourceStore, verify?: ZoneTokenVerifier): ZoneAuthenticator {
  return async (md) => {
    const zone = String(md.get('client-id')[0] ?? '');
    if (!zone) throw new KdsAuthError('"client-id" is not present in metadata; the zone must send its name');
    if (!ZONE_NAME.test(zone) || zone.length > 63) throw new KdsAuthError(`zone name "${zone}" is not a valid DNS label`, grpc.status.INVALID_ARGUMENT);
    const raw = String(md.get('authorization')[0] ?? '').replace(/^Bearer\s+/i, '');
    if (mode === 'none') return { zone, tokenProvided: raw !== '' };
    if (!raw) {
      throw new KdsAuthError(
        `zone "${zone}" sent no zone token; generate one on the global with "kuma generate zone-token --zone ${zone} --scope cp --valid-for 8760h" and give it to the zone CP (KUMA_MULTIZONE_ZONE_KDS_AUTH_TOKEN_FILE)`,
      );
    }
    if (!verify) throw new KdsAuthError('zone token verification is not available on this control plane', grpc.status.INTERNAL);
    try {
      await verify(store, raw, zone);
    } catch (e) {
      throw new KdsAuthError(`invalid zone token for zone "${zone}": ${(e as Error).message}`);
    }
    return { zone, tokenProvided: true };
  };
}
