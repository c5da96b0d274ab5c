/**
 * The KDS codec against payloads encoded by Kuma 2.14.3 itself
 * (test/fixtures/kuma-wire): every vector decodes, what we store validates
 * with our own rules, and re-encoding gives Kuma's bytes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Resource as WireResource } from '../../../proto/gen/envoy/service/discovery/v3/discovery';
import { KumaResource } from '../../../proto/gen/kuma/mesh/v1alpha1/kds';
import { decodeResource, encodeResource, toWireResource, type WireType } from '../../../internal/kds/wire';
import { registry } from '../../../internal/resources/types';

const DIR = path.resolve(__dirname, '../../fixtures/kuma-wire');
const read = (f: string) => fs.readFileSync(path.join(DIR, f), 'utf8');
const hex = (f: string) => Buffer.from(read(f).trim(), 'hex');

interface Vector {
  file: string;
  type: string;
  wireName: string;
  deltaName: string;
  version: string;
}

/** SUMMARY.txt: `file | Type | direction | wire name `x` | delta resource name `y` | version `z``. */
const VECTORS: Vector[] = read('SUMMARY.txt')
  .trim()
  .split('\n')
  .map((line) => {
    const [file, type, , wire, delta, version] = line.split(' | ').map((c) => c.trim());
    const tick = (s: string) => /`([^`]*)`/.exec(s)![1]!;
    return { file: file!, type: type!, wireName: tick(wire!), deltaName: tick(delta!), version: tick(version!) };
  });

/** Our descriptor for the type (a type we lack would be JSON like every new-style type). */
function wireTypeOf(type: string): WireType {
  return registry.byName(type) ?? { name: type, nestedSpec: true };
}

describe('Kuma 2.14.3 KDS vectors', () => {
  it('covers every vector in the folder', () => {
    expect(VECTORS.map((v) => v.file).sort()).toEqual(
      fs
        .readdirSync(DIR)
        .filter((f) => f.endsWith('.kumaresource.hex') && !f.endsWith('.raw.kumaresource.hex'))
        .map((f) => f.replace('.kumaresource.hex', ''))
        .sort(),
    );
  });

  for (const v of VECTORS) {
    describe(`${v.file} (${v.type})`, () => {
      const bytes = hex(`${v.file}.kumaresource.hex`);
      const typeUrl = read(`${v.file}.any_type_url.txt`).trim();
      const d = wireTypeOf(v.type);
      const w = WireResource.fromPartial({ name: v.deltaName, version: v.version, resource: { typeUrl: 'type.googleapis.com/kuma.mesh.v1alpha1.KumaResource', value: bytes } });

      it('has the spec encoding Kuma uses for the type', () => {
        const kr = KumaResource.decode(bytes);
        expect(kr.spec?.typeUrl ?? '').toBe(typeUrl);
        expect(Buffer.from(kr.spec?.value ?? []).equals(hex(`${v.file}.spec.hex`))).toBe(true);
        expect(typeUrl === '').toBe(d.nestedSpec);
      });

      it('decodes to our stored form, which our validator accepts', () => {
        const r = decodeResource(d, w);
        expect(r.name).toBe(v.wireName);
        if (typeUrl === '') expect(r.spec).toEqual(JSON.parse(read(`${v.file}.spec.json`)));
        const ours = registry.byName(v.type);
        if (ours) expect(ours.validate(r.spec)).toEqual([]);
      });

      it('re-encodes to the same bytes and version', () => {
        const r = decodeResource(d, w);
        const e = encodeResource(d, r);
        // A status (MeshService) travels as Kuma wrote it.
        if (fs.existsSync(path.join(DIR, `${v.file}.status.hex`))) expect(Buffer.from(KumaResource.decode(e.bytes).status!.value).equals(hex(`${v.file}.status.hex`))).toBe(true);
        expect(e.bytes.toString('hex')).toBe(bytes.toString('hex'));
        expect(e.version).toBe(v.version);
        expect(e.version).toBe(createHash('sha256').update(bytes).digest('hex'));
        expect(e.wireName).toBe(v.deltaName);
        // The envelope compares by value: ts-proto writes fields in declaration order
        // (name = 3 first), Go in field-number order (version = 1 first).
        expect(toWireResource(e)).toEqual(WireResource.decode(hex(`${v.file}.delta_resource.hex`)));
      });

      it('decodes the unmapped (raw) form too', () => {
        const raw = hex(`${v.file}.raw.kumaresource.hex`);
        const r = decodeResource(d, { ...w, resource: { typeUrl: w.resource!.typeUrl, value: raw } });
        expect(r.labels['kuma.io/display-name']).toBeUndefined();
        expect(encodeResource(d, r).bytes.toString('hex')).toBe(raw.toString('hex'));
      });
    });
  }
});
