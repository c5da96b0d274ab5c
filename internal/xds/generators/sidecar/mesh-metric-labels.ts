/**
 * The labels every pushed MeshMetric data point carries (Kuma mads.DataplaneLabels): each tag of
 * the Dataplane's inbounds (and gateway) under its Prometheus-sanitized name with its first value,
 * and all its values as `,a,b,` under the name plus "s" ("a recommended way to represent
 * multi-values in Prometheus", Kuma's comment). Keys go in sorted order, so a user's own `services`
 * tag overrides the generated plural of `service`, as in Kuma.
 *
 * Not here: Kubernetes name extensions and `kuma_io_mesh_gateway` (builtin gateways), which this
 * control plane does not have on sidecars.
 */
import { dataplaneView } from '../../context/dataplane-view';
import type { Resource } from '../../../resources/model';

/** Prometheus strutil.SanitizeLabelName. */
function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

export function dataplaneMetricLabels(dp: Resource): Record<string, string> {
  const values = new Map<string, Set<string>>();
  for (const tags of dataplaneView(dp).tagSets) {
    for (const [k, v] of Object.entries(tags)) {
      let set = values.get(k);
      if (!set) values.set(k, (set = new Set()));
      set.add(v);
    }
  }
  const labels: Record<string, string> = {};
  for (const key of [...values.keys()].sort()) {
    const vs = [...values.get(key)!].sort();
    labels[sanitize(key)] = vs[0] ?? '';
    labels[sanitize(`${key}s`)] = `,${vs.join(',')},`;
  }
  return labels;
}
