import { describe, expect, it } from 'vitest';
import { planLab, type LabOptions } from '../../../internal/lab/plan';
import { describeComponent, planText, runsWhereTable } from '../../../internal/lab/progress';

const opts = (o: Partial<LabOptions> = {}): LabOptions => ({ dir: '/lab', zones: 2, egress: false, basePort: 27000, envoyBinary: '/usr/bin/envoy', hasIngressRun: true, hasEgressRun: true, ...o });

describe('lab progress text', () => {
  it('says what starts in which step before anything starts', () => {
    expect(planText(planLab(opts()))).toBe(
      [
        'Starting 11 processes in 4 steps (each waits for the one before to be ready):',
        '  1. global CP',
        '  2. zone CPs zone-1, zone-2',
        '  3. demo apps web-zone-1-app, web-zone-2-app, backend-zone-2-app',
        '  4. zone ingresses ingress-zone-1, ingress-zone-2; sidecars web-zone-1, web-zone-2, backend-zone-2',
        '',
      ].join('\n'),
    );
    expect(planText(planLab(opts({ zones: 1, egress: true })))).toContain('  4. zone ingress ingress-zone-1; zone egress egress-zone-1; sidecars web-zone-1, backend-zone-1\n');
  });

  it('names each component as its progress line does', () => {
    expect(describeComponent({ kind: 'global-cp', name: 'global' })).toBe('global CP');
    expect(describeComponent({ kind: 'zone-cp', name: 'zone-1', zone: 'zone-1' })).toBe('zone CP zone-1');
    expect(describeComponent({ kind: 'sidecar', name: 'web-zone-1', zone: 'zone-1' })).toBe('sidecar web-zone-1');
  });

  it('tabulates what runs where', () => {
    const plan = planLab(opts({ zones: 1 }));
    const table = runsWhereTable(plan.components.map((c, i) => ({ name: c.name, kind: c.kind, zone: c.zone, pid: 100 + i, log: c.log, ports: c.ports, ready: c.ready, url: c.url, command: [] })));
    expect(table).toMatch(/^NAME +KIND +ZONE +PID +PORTS +URL$/m);
    expect(table).toMatch(/^global +global-cp +- +100 +api=27000 diagnostics=27001 dpServer=27002 kds=27003 apiHttps=27019 +http:\/\/127\.0\.0\.1:27000\/$/m);
    expect(table).toMatch(/^ingress-zone-1 +zone-ingress +zone-1 +\d+ /m);
  });
});
