/** `kuma install demo` and `kuma install observability`: golden files, schema checks, cross-references. */
import { describe, expect, it } from 'vitest';
import { demoObjects, parseDemoFlags } from '../../../internal/install/demo';
import type { K8sObject } from '../../../internal/install/k8s';
import { observabilityObjects, parseObservabilityFlags } from '../../../internal/install/observability';
import { toYaml } from '../../../internal/install/render';
import { BadRequestError } from '../../../internal/errors';
import dashboard from '../../../packaging/grafana/kuma-cp.json';
import { expectGolden } from './golden';
import { validateObject } from './k8s-models';

/* eslint-disable @typescript-eslint/no-explicit-any */
function checkRefs(objects: K8sObject[]): void {
  const workloads = objects.filter((o) => o.kind === 'Deployment');
  for (const s of objects.filter((o) => o.kind === 'Service')) {
    const sel = (s.spec as any).selector;
    const hits = workloads.filter((w) => Object.entries(sel).every(([k, v]) => (w.spec as any).template.metadata.labels[k] === v));
    expect(hits.length, `Service ${s.metadata.name}`).toBe(1);
    const ports = (hits[0]!.spec as any).template.spec.containers.flatMap((c: any) => c.ports.map((p: any) => p.containerPort));
    for (const p of (s.spec as any).ports) expect(ports).toContain(p.targetPort);
  }
  for (const w of workloads) {
    const spec = (w.spec as any).template.spec;
    const volumes = new Set((spec.volumes ?? []).map((v: any) => v.name));
    for (const c of spec.containers) for (const m of c.volumeMounts ?? []) expect(volumes.has(m.name), `${w.metadata.name} mounts ${m.name}`).toBe(true);
    for (const v of spec.volumes ?? []) if (v.configMap) expect(objects.some((o) => o.kind === 'ConfigMap' && o.metadata.name === v.configMap.name), v.configMap.name).toBe(true);
  }
}

describe('kuma install demo', () => {
  const cases: [string, { namespace?: string; zone?: string }][] = [
    ['default', {}],
    ['namespace-zone', { namespace: 'demo', zone: 'zone-1' }],
  ];
  for (const [name, flags] of cases) {
    it(`${name}: golden, valid, consistent`, () => {
      const objects = demoObjects(parseDemoFlags(flags));
      expectGolden(`demo/${name}.yaml`, toYaml(objects));
      for (const o of objects) validateObject(o);
      checkRefs(objects);
      const ns = objects.find((o) => o.kind === 'Namespace')!;
      expect(ns.metadata.labels!['kuma.io/sidecar-injection']).toBe('enabled');
      expect(ns.metadata.name).toBe(flags.namespace ?? 'kuma-demo');
      const app = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'demo-app') as any;
      expect(app.spec.template.spec.containers[0].env).toContainEqual({ name: 'REDIS_HOST', value: `redis.${ns.metadata.name}.svc.cluster.local` });
    });
  }
  it('a bad namespace names --namespace', () => {
    expect(() => parseDemoFlags({ namespace: 'Demo!' })).toThrow(BadRequestError);
    try {
      parseDemoFlags({ namespace: 'Demo!' });
    } catch (e) {
      expect((e as BadRequestError).violations[0]!.field).toBe('--namespace');
    }
  });
});

describe('kuma install observability', () => {
  const cases: [string, { namespace?: string; controlPlaneNamespace?: string; components?: string[] }][] = [
    ['default', {}],
    ['prometheus-only', { components: ['prometheus'], controlPlaneNamespace: 'mesh' }],
  ];
  for (const [name, flags] of cases) {
    it(`${name}: golden, valid, consistent`, () => {
      const objects = observabilityObjects(parseObservabilityFlags(flags));
      expectGolden(`observability/${name}.yaml`, toYaml(objects));
      for (const o of objects) validateObject(o);
      checkRefs(objects);
      const prom = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-config') as any;
      expect(prom.data['prometheus.yml']).toContain(`kuma-control-plane.${flags.controlPlaneNamespace ?? 'kuma-system'}.svc:5680`);
      expect(objects.some((o) => o.metadata.name === 'grafana')).toBe(!flags.components || flags.components.includes('grafana'));
    });
  }

  it("Grafana gets our dashboard, whose queries use the control plane's metric names", () => {
    const objects = observabilityObjects(parseObservabilityFlags({}));
    const cm = objects.find((o) => o.metadata.name === 'grafana-dashboards') as any;
    expect(JSON.parse(cm.data['kuma-cp.json'])).toEqual(dashboard);
    // Rows nest their panels; only panels with queries name a data source.
    const panels = (dashboard.panels as any[]).flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.targets);
    const exprs = panels.flatMap((p: any) => p.targets.map((t: any) => t.expr as string)).join('\n');
    for (const metric of ['xds_generation', 'kds_delta_generation', 'cp_info', 'leader', 'resources_count']) expect(exprs).toMatch(new RegExp(`\\b${metric}\\b`));
    const ds = objects.find((o) => o.metadata.name === 'grafana-datasources') as any;
    expect(ds.data['datasources.yaml']).toContain('uid: prometheus');
    // The panels use the dashboard's data source variable, which picks a Prometheus data source.
    expect((dashboard as any).templating.list.find((v: any) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const p of panels) expect(p.datasource.uid).toBe('${datasource}');
  });

  it('an unknown component names --components', () => {
    try {
      parseObservabilityFlags({ components: ['prometheus,jaeger'] });
      expect.unreachable();
    } catch (e) {
      expect((e as BadRequestError).violations).toEqual([{ field: '--components', message: 'unknown jaeger; use prometheus, grafana' }]);
    }
  });
});
