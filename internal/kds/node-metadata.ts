/**
 * What a KDS peer says about itself (kuma-wire/kds-wire.md §1, §4): gRPC
 * headers on every zone RPC, and node metadata on the first request of each
 * type (the zone's on GlobalToZoneSync, the global's on ZoneToGlobalSync).
 */
import type { Metadata } from '@grpc/grpc-js';
import { BUILD_DATE, GIT_COMMIT, GIT_TAG, VERSION } from '../version';

/** Feature names of Kuma 2.14's KDS. */
export const FEATURE = {
  /** Names are hash-suffixed on global->zone (without it Kuma sends original names). */
  hashSuffix: 'hash-suffix',
  /** The zone calls GlobalKDSService.HealthCheck; the global may use it to detect a dead zone. */
  zonePingHealth: 'zone-ping-health',
  /** The zone takes zone-token-signing-key GlobalSecrets as their public halves. */
  zoneToken: 'zone-token',
  hostnameGeneratorMzSelector: 'hg-mz-selector',
  producerPolicyFlow: 'producer-policy-flow',
  optionalTopLevelTargetRef: 'optional-top-level-target-ref',
} as const;

/**
 * Features we advertise in node metadata: only what we implement. A Kuma
 * zone also sends hg-mz-selector and producer-policy-flow; we have no
 * HostnameGenerator and no policy roles, so a Kuma global must not send us
 * what those would unlock.
 */
export const NODE_FEATURES: readonly string[] = [FEATURE.zoneToken, FEATURE.hashSuffix, FEATURE.optionalTopLevelTargetRef];

/** The `features` gRPC header values a zone sends (two values of one key, as Kuma). */
export const HEADER_FEATURES: readonly string[] = [FEATURE.zonePingHealth, FEATURE.hashSuffix];

/** The headers a zone sends on every KDS RPC. */
export function setZoneHeaders(md: Metadata, zone: string): void {
  md.set('client-id', zone);
  md.set('kds-version', 'v3');
  for (const f of HEADER_FEATURES) md.add('features', f);
  md.set('version', VERSION);
}

/** Node metadata of a first request: `config` is the zone's CP config as JSON ("" from a global). */
export function nodeMetadata(instanceId: string, config: string): Record<string, unknown> {
  return {
    version: { kumaCp: { version: VERSION, gitTag: GIT_TAG, gitCommit: GIT_COMMIT, buildDate: BUILD_DATE } },
    config,
    'control-plane-id': instanceId,
    features: [...NODE_FEATURES],
  };
}

/** The features a peer advertised in node metadata. */
export function featuresOf(metadata: unknown): Set<string> {
  const f = (metadata as { features?: unknown } | undefined)?.features;
  return new Set(Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : []);
}

/** User agent of our KDS client, as Kuma's (`kds/<version>`). */
export const KDS_USER_AGENT = `kds/${VERSION}`;
