/**
 * `x-kuma-tags`: the tags of the client proxy, added to every request its HTTP outbounds send
 * (spec kuma-kds-xds.md §3.2), so a destination's filters can tell clients apart by tag
 * (MeshFaultInjection `from` a MeshService or MeshSubset matches on it). One `&key=v1,v2&` pair
 * per tag key, keys and values sorted, as Kuma serializes a tag set.
 */
import type { HeaderValueOption } from '../../../../proto/gen/envoy/config/core/v3/base';
import { HeaderValueOption_HeaderAppendAction } from '../../../../proto/gen/envoy/config/core/v3/base';
import type { HeaderMatcher } from '../../../../proto/gen/envoy/config/route/v3/route_components';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import type { Tags } from '../../context/dataplane-view';

export const KUMA_TAGS_HEADER = 'x-kuma-tags';

export function serializeTagSets(tagSets: readonly Tags[]): string {
  const values = new Map<string, Set<string>>();
  for (const tags of tagSets) {
    for (const [k, v] of Object.entries(tags)) {
      let set = values.get(k);
      if (!set) values.set(k, (set = new Set()));
      set.add(v);
    }
  }
  return [...values.keys()]
    .sort()
    .map((k) => `&${k}=${[...values.get(k)!].sort().join(',')}&`)
    .join('');
}

/** Overwrites what the application sent: a client must not pose as another service. */
export function kumaTagsHeader(tagSets: readonly Tags[]): DeepPartial<HeaderValueOption> {
  return kumaTagsHeaderOf(serializeTagSets(tagSets));
}

/** The header with an already serialized value (serializeTagSets). */
export function kumaTagsHeaderOf(value: string): DeepPartial<HeaderValueOption> {
  return { header: { key: KUMA_TAGS_HEADER, value }, appendAction: HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD };
}

/** A route/fault header matcher on the client's tags: `regex` over the serialized header. */
export function kumaTagsMatcher(regex: string): DeepPartial<HeaderMatcher> {
  return { name: KUMA_TAGS_HEADER, headerMatchSpecifier: { $case: 'stringMatch', value: { matchPattern: { $case: 'safeRegex', value: { regex } } } } };
}
