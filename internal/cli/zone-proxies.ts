/** Where `inspect zoneingresses|zoneegresses` read: the type's `_overview` route and insight field, from the registry. */
export async function zoneProxyOverview(typeName: 'ZoneIngress' | 'ZoneEgress'): Promise<{ path: string; insightField: string }> {
  const { registry } = await import('../resources/types/index');
  const d = registry.byName(typeName);
  // Fallbacks are Kuma's paths, for a registry that does not list the type (yet).
  const fallback = typeName === 'ZoneIngress' ? { path: 'zoneingresses', insight: 'zoneIngressInsight' } : { path: 'zoneegresses', insight: 'zoneEgressInsight' };
  return { path: `/${d?.path ?? fallback.path}/_overview`, insightField: d?.overview?.insightField ?? fallback.insight };
}
