/**
 * Table-driven validation tests: each YAML document is parsed the way the API
 * parses it (parseYamlDocuments + fromRest), then run through its type's
 * validator (unknown fields first, as the write path reports them). Valid documents must give no violation; invalid ones exactly the
 * listed violations, in order.
 */
import { describe, expect, it } from 'vitest';
import type { Violation } from '../../../../internal/errors';
import { fromRest, parseYamlDocuments } from '../../../../internal/resources/codec';
import { registerAll } from '../../../../internal/resources/types';
import { Resource as WireResource } from '../../../../proto/gen/envoy/service/discovery/v3/discovery';
import { decodeResource, encodeResource, toWireResource } from '../../../../internal/kds/wire';
import { protoDuration } from '../../../../internal/kds/spec-codec';

const registry = registerAll();

export function violationsOf(yaml: string): Violation[] {
  const [doc] = parseYamlDocuments(yaml);
  const parsed = fromRest(registry, doc);
  return [...parsed.unknownFields, ...parsed.descriptor.validate(parsed.spec)];
}

export interface Table {
  valid: Record<string, string>;
  invalid: Record<string, { yaml: string; violations: Violation[] }>;
}

export function validationTable(type: string, table: Table): void {
  describe(`${type} validation`, () => {
    it.each(Object.entries(table.valid))('accepts %s', (_, yaml) => {
      expect(violationsOf(yaml)).toEqual([]);
    });
    it.each(Object.entries(table.valid))('crosses KDS in Kuma\'s encoding: %s', (_, yaml) => {
      const [doc] = parseYamlDocuments(yaml);
      const { descriptor: d, spec } = fromRest(registry, doc);
      const r = { type: d.name, mesh: d.scope === 'Mesh' ? 'default' : '', name: 'x', labels: { team: 'a' }, spec };
      const back = decodeResource(d, WireResource.decode(WireResource.encode(toWireResource(encodeResource(d, r))).finish()));
      expect(back.labels).toEqual(r.labels);
      if (d.nestedSpec) expect(back.spec).toEqual(spec);
      else expect(protojsonNormal(back.spec)).toEqual(protojsonNormal(spec));
      // What a receiver stores encodes to the same bytes again.
      expect(encodeResource(d, back).bytes).toEqual(encodeResource(d, r).bytes);
      expect(violationsOf(yaml)).toEqual([]);
    });
    const invalid = Object.entries(table.invalid);
    // Types written only by the CP have nothing to reject.
    if (invalid.length > 0) {
      it.each(invalid)('rejects %s', (_, c) => {
        expect(violationsOf(c.yaml)).toEqual(c.violations);
      });
    }
  });
}

/** Shorthand for one expected violation. */
export function v(field: string, message: string): Violation {
  return { field, message };
}

/**
 * A spec as protojson prints it, for comparing a legacy spec with its trip
 * through the protobuf message: zero values and empty objects/lists dropped
 * (proto3 does not keep them), durations in seconds form, integers as numbers.
 */
function protojsonNormal(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(protojsonNormal);
  if (typeof v === 'string') {
    if (/^\d+$/.test(v)) return Number(v);
    if (/^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v)) return protoDuration(v);
    return v;
  }
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const n = protojsonNormal(x);
    if (n === '' || n === 0 || n === false || n === null || (Array.isArray(n) && !n.length) || (typeof n === 'object' && n && !Array.isArray(n) && !Object.keys(n).length)) continue;
    out[k] = n;
  }
  return out;
}
