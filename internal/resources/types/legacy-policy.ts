/**
 * What the selector-based (legacy) policies share (spec kuma-api-cli.md §1.10;
 * Kuma pkg/core/resources/apis/mesh/*_validator.go): a Mesh-scoped, flat
 * descriptor with kumactl names, pushed global→zone, and selector rules.
 */
import { defineType } from '../define';
import type { PolicyInfo, ResourceDescriptor } from '../registry';
import { Violations, checkSelectors, isObject } from '../validation';
import { TAG, type Spec } from '../model';

const LEGACY: PolicyInfo = { isTargetRef: false, hasToTargetRef: false, hasFromTargetRef: false, isFromAsRules: false };

export function legacyPolicy(
  d: Pick<ResourceDescriptor, 'name' | 'path' | 'cliSingular' | 'cliPlural' | 'validate' | 'fields'> & Partial<ResourceDescriptor>,
): ResourceDescriptor {
  return defineType({ scope: 'Mesh', policy: LEGACY, ...d });
}

/**
 * Connection policies (HealthCheck, CircuitBreaker, Retry, Timeout,
 * TrafficRoute): sources need kuma.io/service, destinations may select
 * kuma.io/service only (Kuma's OnlyServiceTagAllowed).
 */
export function checkConnectionSelectors(vs: Violations, spec: Spec): void {
  checkSelectors(vs, 'sources', spec.sources, { required: true, requireService: true });
  checkSelectors(vs, 'destinations', spec.destinations, { required: true, requireService: true });
  if (!Array.isArray(spec.destinations)) return;
  spec.destinations.forEach((s, i) => {
    const match = isObject(s) && isObject(s.match) ? s.match : {};
    for (const key of Object.keys(match)) {
      if (key !== TAG.service) vs.add(`destinations[${i}].match["${key}"]`, `tag "${key}" is not allowed`);
    }
  });
}

/** The `conf` object of a legacy policy, or undefined with `missing` recorded when absent. */
export function confOf(vs: Violations, spec: Spec, missing = 'has to be defined'): Record<string, unknown> | undefined {
  if (spec.conf === undefined || spec.conf === null) {
    vs.add('conf', missing);
    return undefined;
  }
  if (!isObject(spec.conf)) {
    vs.add('conf', 'must be an object');
    return undefined;
  }
  return spec.conf;
}
