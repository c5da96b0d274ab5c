/**
 * How legacy policies (FaultInjection, RateLimit) tell clients apart on an HTTP chain: a regex over
 * the client's `x-kuma-tags` header (`&key=v1,v2&` pairs, envoy/kuma-tags-header.ts), one
 * alternative per `sources[]` selector (Kuma pkg/xds/envoy/tags MatchingRegex / RegexOR). A `*`
 * value only requires the key; every other value must be one of the key's values.
 */
import type { Resource } from '../../../resources/model';
import { MATCH_ALL, selectorsOf } from '../../policies/selectors';

function selectorRegex(selector: Readonly<Record<string, string>>): string {
  let re = '';
  for (const key of Object.keys(selector).sort()) {
    const v = selector[key]!;
    // Kuma escapes only dots; tag values are limited to [a-zA-Z0-9.\-_:/] so that is every metacharacter.
    const value = v === MATCH_ALL ? '' : `[^&]*${v}[,&]`.replaceAll('.', '\\.');
    re += `&${key}=${value}.*`;
  }
  return `.*${re}`;
}

/** The regex matching the x-kuma-tags of any client a legacy policy's `sources` select. */
export function sourcesRegex(policy: Resource): string {
  const alternatives = selectorsOf(policy.spec, 'sources').map(selectorRegex);
  return alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join('|')})`;
}
