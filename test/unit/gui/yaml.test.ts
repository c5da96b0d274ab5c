/** The web UI's YAML printer (gui/src/yaml.ts): what a policy page shows must read back as the same document. */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toYaml } from '../../../gui/src/yaml';

describe('web UI YAML printer', () => {
  it('prints a policy as kumactl would read it', () => {
    const doc = {
      type: 'MeshTimeout',
      mesh: 'default',
      name: 'gui-timeout',
      labels: { 'kuma.io/origin': 'global' },
      spec: { targetRef: { kind: 'Mesh', proxyTypes: ['Sidecar'] }, to: [{ targetRef: { kind: 'Mesh' }, default: { connectionTimeout: '7s', http: { requestTimeout: '0s' } } }] },
    };
    expect(toYaml(doc)).toBe(`type: MeshTimeout
mesh: default
name: gui-timeout
labels:
  kuma.io/origin: global
spec:
  targetRef:
    kind: Mesh
    proxyTypes:
    - Sidecar
  to:
  - targetRef:
      kind: Mesh
    default:
      connectionTimeout: 7s
      http:
        requestTimeout: 0s
`);
    expect(parse(toYaml(doc))).toEqual(doc);
  });

  it('quotes what YAML would read as another type or structure, and keeps empties', () => {
    const doc = { a: 'true', b: '10', c: 'x: y', d: '', e: [], f: {}, g: 3, h: false, i: null, j: ['1', { k: '#x' }], 'l m': 'it\'s' };
    expect(parse(toYaml(doc))).toEqual(doc);
  });
});
