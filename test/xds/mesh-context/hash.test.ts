/**
 * MeshContext hash: it must move exactly when something that shapes generated config moves
 * (Kuma pkg/xds/context/testdata/meshcontext_hash). Each case is
 * hash/<case>.input.yaml (the mesh before) and hash/<case>.change.yaml (documents upserted by
 * type/mesh/name; a document with `delete: true` removes that resource instead).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYamlDocuments } from '../../../internal/resources/codec';
import type { Resource } from '../../../internal/resources/model';
import { meshContextHashInputs } from '../../../internal/xds/context/mesh-context';
import { contextOf, parseResources } from '../generators/context-fixture';

const DIR = path.join(__dirname, 'hash');

/** Whether each case must change the hash. */
const EXPECT_CHANGE: Record<string, boolean> = {
  'insight-heartbeat': false,
  'insight-added': false,
  'same-spec-rewritten': false,
  'key-order': false,
  'policy-changed': true,
  'policy-added': true,
  'policy-deleted': true,
  'dataplane-unhealthy': true,
  'dataplane-labels': true,
  'mesh-mtls-enabled': true,
};

const key = (r: { type: string; mesh: string; name: string }) => `${r.type}/${r.mesh}/${r.name}`;

function applyChange(before: Resource[], changeYaml: string): Resource[] {
  const out = new Map(before.map((r) => [key(r), r]));
  for (const doc of parseYamlDocuments(changeYaml) as Record<string, unknown>[]) {
    if (doc.delete === true) {
      out.delete(key({ type: String(doc.type), mesh: typeof doc.mesh === 'string' ? doc.mesh : '', name: String(doc.name) }));
      continue;
    }
    const [r] = parseResources(JSON.stringify(doc));
    // an update keeps the creation time and bumps the version
    const prev = out.get(key(r!));
    out.set(key(r!), { ...r!, version: (prev?.version ?? 0) + 1, creationTime: prev?.creationTime ?? r!.creationTime });
  }
  return [...out.values()];
}

describe('MeshContext hash', () => {
  const cases = fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.input.yaml'))
    .map((f) => f.slice(0, -'.input.yaml'.length))
    .sort();

  it('has an expectation for every case file pair', () => {
    expect(cases).toEqual(Object.keys(EXPECT_CHANGE).sort());
  });

  it.each(cases)('%s', (name) => {
    const before = parseResources(fs.readFileSync(path.join(DIR, `${name}.input.yaml`), 'utf8'));
    const after = applyChange(before, fs.readFileSync(path.join(DIR, `${name}.change.yaml`), 'utf8'));
    const h1 = contextOf(before).hash;
    const h2 = contextOf(after).hash;
    if (EXPECT_CHANGE[name]) expect(h2, `${name} must change the hash`).not.toBe(h1);
    else expect(h2, `${name} must not change the hash`).toBe(h1);
  });

  it('covers the CA bundle and the zone', () => {
    const resources = parseResources(fs.readFileSync(path.join(DIR, 'policy-changed.input.yaml'), 'utf8'));
    const base = contextOf(resources).hash;
    expect(contextOf(resources, { caCertsPem: 'pem-1' }).hash).not.toBe(base);
    expect(contextOf(resources, { caCertsPem: 'pem-1' }).hash).not.toBe(contextOf(resources, { caCertsPem: 'pem-2' }).hash);
    expect(contextOf(resources, { zone: 'zone-2' }).hash).not.toBe(base);
  });

  it('does not depend on the order resources are handed in', () => {
    const resources = parseResources(fs.readFileSync(path.join(DIR, 'policy-changed.input.yaml'), 'utf8'));
    expect(contextOf([...resources].reverse()).hash).toBe(contextOf(resources).hash);
  });

  it('leaves status types out of the hash inputs', () => {
    const resources = parseResources(fs.readFileSync(path.join(DIR, 'insight-heartbeat.input.yaml'), 'utf8'));
    const mesh = resources.find((r) => r.type === 'Mesh')!;
    const byType = new Map<string, Resource[]>();
    for (const r of resources) if (r.type !== 'Mesh') byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
    const inputs = meshContextHashInputs({ mesh, resources: byType, zone: 'zone-1' }) as { resources: Record<string, unknown> };
    expect(Object.keys(inputs.resources).sort()).toEqual(['Dataplane', 'MeshTimeout']);
  });
});
