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
