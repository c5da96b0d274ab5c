/** kumactl 2.14's policy inspection text (app/kumactl/cmd/inspect testdata goldens' layout). */
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { affectedProxiesText, dataplanePoliciesText, dataplaneRulesText, policyDataplanesTable } from '../../../internal/cli/policy-inspect-text';
import { renderTable } from '../../../internal/cli/printers/table';

describe('policy inspection text', () => {
  it('inspect dataplane --type policies: attachments, then types, then names', () => {
    const body = {
      total: 3,
      kind: 'SidecarDataplane',
      items: [
        { type: 'dataplane', name: '', service: '', matchedPolicies: { MeshTrace: [{ name: 'trace-all' }] } },
        { type: 'inbound', name: '127.0.0.1:10010:10011', service: 'backend', matchedPolicies: { TrafficPermission: [{ name: 'allow-all-default' }] } },
        { type: 'outbound', name: '127.0.0.1:10006', service: 'gateway', matchedPolicies: { TrafficRoute: [{ name: 'route-all-default' }] } },
        { type: 'service', name: 'gateway', service: 'gateway', matchedPolicies: { MeshRetry: [{ name: 'z-retry' }, { name: 'a-retry' }], MeshTimeout: [{ name: 'mt' }] } },
      ],
    };
    expect(dataplanePoliciesText(body)).toBe(
      'DATAPLANE:\n  MeshTrace\n    trace-all\n\n' +
        'INBOUND 127.0.0.1:10010:10011(backend):\n  TrafficPermission\n    allow-all-default\n\n' +
        'OUTBOUND 127.0.0.1:10006(gateway):\n  TrafficRoute\n    route-all-default\n\n' +
        'SERVICE gateway:\n  MeshRetry\n    z-retry\n    a-retry\n  MeshTimeout\n    mt\n\n',
    );
  });

  it('inspect <legacy policy> NAME: affected proxies with their attachments', () => {
    const body = {
      total: 2,
      items: [
        { kind: 'SidecarDataplane', dataplane: { mesh: 'default', name: 'backend-1' }, attachments: [{ type: 'outbound', name: '127.0.0.1:10006', service: 'gateway' }, { type: 'service', name: 'web', service: 'web' }] },
        { kind: 'SidecarDataplane', dataplane: { mesh: 'default', name: 'redis-1' }, attachments: [{ type: 'dataplane', name: '', service: '' }] },
      ],
    };
    expect(affectedProxiesText(body)).toBe('Affected data plane proxies:\n\n  backend-1:\n    outbound 127.0.0.1:10006(gateway)\n    service web\n\n  redis-1\n');
  });

  it('inspect <targetRef policy> NAME: a Type/Mesh/Name table and the total', () => {
    const body = { total: 3, items: ['foo', 'bar', 'baz'].map((name) => ({ type: 'Dataplane', mesh: 'default', name, labels: {} })), next: null };
    expect(renderTable(policyDataplanesTable(body))).toBe('Type        Mesh      Name\nDataplane   default   foo\nDataplane   default   bar\nDataplane   default   baz\n\nTotal: 3\n');
  });

  it('inspect dataplane --type rules: per type, the merged conf of each rule and its origins', () => {
    const body = {
      resource: { type: 'Dataplane', mesh: 'default', name: 'web-01' },
      rules: [
        {
          type: 'MeshRetry',
          toRules: [
            { matchers: [{ key: 'kuma.io/service', value: 'backend', not: false }], conf: { http: { numRetries: 9 } }, origin: [{ name: 'mesh-retry-all-default' }, { name: 'retry-backend' }] },
            { matchers: [{ key: 'kuma.io/service', value: 'backend', not: true }], conf: { http: { numRetries: 5 } }, origin: [{ name: 'mesh-retry-all-default' }] },
          ],
          warnings: [],
        },
        { type: 'MeshTimeout', fromRules: [{ inbound: { port: 8080, tags: {} }, rules: [{ matchers: [], conf: { idleTimeout: '2h' }, origin: [{ name: 'mt' }] }] }], warnings: [] },
      ],
      httpMatches: [],
    };
    expect(dataplaneRulesText(body, (v) => stringify(v))).toBe(
      'MeshRetry:\n' +
        '  to kuma.io/service=backend (mesh-retry-all-default, retry-backend):\n    http:\n      numRetries: 9\n' +
        '  to kuma.io/service!=backend (mesh-retry-all-default):\n    http:\n      numRetries: 5\n\n' +
        'MeshTimeout:\n  from all to inbound :8080 (mt):\n    idleTimeout: 2h\n\n',
    );
  });

  it('rules text: a route-level rule shows its hash matcher, and the matches the hash stands for follow', () => {
    const body = {
      rules: [
        {
          type: 'MeshTimeout',
          toRules: [
            {
              matchers: [
                { key: '__rule-matches-hash__', value: 'h1', not: false },
                { key: 'kuma.io/service', value: 'api', not: false },
              ],
              conf: { http: { requestTimeout: '2s' } },
              origin: [{ name: 'api-timeout' }],
            },
          ],
          warnings: [],
        },
      ],
      httpMatches: [{ hash: 'h1', match: [{ path: { type: 'PathPrefix', value: '/api' } }] }],
    };
    expect(dataplaneRulesText(body, (v) => stringify(v))).toBe(
      'MeshTimeout:\n  to __rule-matches-hash__=h1,kuma.io/service=api (api-timeout):\n    http:\n      requestTimeout: 2s\n\n' +
        'HTTP matches (__rule-matches-hash__):\n  h1:\n    - path:\n        type: PathPrefix\n        value: /api\n\n',
    );
  });
});
