/**
 * Golden-file harness for the xDS generators (STYLE.md "How this maps to our layout" point 2):
 * a case is a set of Universal resources (YAML) and the Dataplane to generate for; the generator's
 * tagged output is rendered to YAML with sorted keys (ts-proto toJSON, Anys as `@type` objects) and
 * compared with test/xds/golden/<generator>/<NN>-<case>.golden.yaml.
 *
 *   UPDATE_GOLDEN_FILES=true npx vitest run test/xds   # rewrites the golden files
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Cluster } from '../../../proto/gen/envoy/config/cluster/v3/cluster';
import { ClusterLoadAssignment } from '../../../proto/gen/envoy/config/endpoint/v3/endpoint';
import { Listener } from '../../../proto/gen/envoy/config/listener/v3/listener';
import { RouteConfiguration } from '../../../proto/gen/envoy/config/route/v3/route';
import { Secret } from '../../../proto/gen/envoy/extensions/transport_sockets/tls/v3/secret';
import { createSidecarMemo } from '../../../internal/xds/generators/memo';
import type { Generator, TaggedResource } from '../../../internal/xds/generators/types';
import { type Case, fixture } from './context-fixture';

const GOLDEN_DIR = path.resolve(__dirname, '../golden');
export const UPDATE = process.env.UPDATE_GOLDEN_FILES === 'true';

/** The JSON of one resource, as ts-proto prints it, with its type URL first. */
export function resourceJson(r: TaggedResource): Record<string, unknown> {
  switch (r.kind) {
    case 'listener':
      return { '@type': `type.googleapis.com/${Listener.$type}`, ...(Listener.toJSON(r.resource) as object) };
    case 'cluster':
      return { '@type': `type.googleapis.com/${Cluster.$type}`, ...(Cluster.toJSON(r.resource) as object) };
    case 'endpoints':
      return { '@type': `type.googleapis.com/${ClusterLoadAssignment.$type}`, ...(ClusterLoadAssignment.toJSON(r.resource) as object) };
    case 'route':
      return { '@type': `type.googleapis.com/${RouteConfiguration.$type}`, ...(RouteConfiguration.toJSON(r.resource) as object) };
    case 'secret':
      return { '@type': `type.googleapis.com/${Secret.$type}`, ...(Secret.toJSON(r.resource) as object) };
  }
}

export function render(resources: readonly TaggedResource[]): string {
  const doc = { resources: resources.map((r) => ({ name: r.name, origin: r.origin, resource: resourceJson(r) })) };
  return stringify(doc, { sortMapEntries: true, lineWidth: 0 });
}

/** Compares `actual` with a golden file, or rewrites it when UPDATE_GOLDEN_FILES=true. */
export function expectGolden(actual: string, file: string): void {
  const full = path.join(GOLDEN_DIR, file);
  if (UPDATE) {
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, actual);
    return;
  }
  if (!fs.existsSync(full)) {
    throw new Error(`golden file ${path.relative(process.cwd(), full)} is missing; run with UPDATE_GOLDEN_FILES=true to create it`);
  }
  const want = fs.readFileSync(full, 'utf8');
  expect(actual, `output differs from ${path.relative(process.cwd(), full)}; if the change is intended, rerun with UPDATE_GOLDEN_FILES=true`).toBe(want);
}

/** One `it` per case: generate with a fresh memo and compare with `<generator>/<case>.golden.yaml`. */
export function goldenCases(generator: string, generate: Generator, cases: readonly Case[]): void {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const { proxy, ctx } = fixture(c);
    expectGolden(render(generate(proxy, ctx, createSidecarMemo())), `${generator}/${c.name}.golden.yaml`);
  });
}

export { type Case, FAKE_CA_PEM, FAKE_IDENTITY, ZONE, contextOf, fixture, parseResources } from './context-fixture';
