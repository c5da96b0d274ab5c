import { describe, expect, it } from 'vitest';
import { nextOffsetOf, paginationFooter, renderTable } from '../../../internal/cli/printers/table';
import { renderJson } from '../../../internal/cli/printers/json';
import { renderYaml } from '../../../internal/cli/printers/yaml';

describe('renderTable (tabwriter: min width 1, padding 3, spaces)', () => {
  it('pads every cell but the last to the widest cell of its column plus 3', () => {
    const out = renderTable({ headers: ['MESH', 'NAME', 'AGE'], rows: [['default', 'web-1', '5m'], ['m', 'a-much-longer-name', '1h']] });
    expect(out).toBe(['MESH      NAME                 AGE', 'default   web-1                5m', 'm         a-much-longer-name   1h', ''].join('\n'));
  });

  it('matches the kumactl golden of a paginated dataplanes table', () => {
    const out = renderTable({
      headers: ['MESH', 'NAME', 'TAGS'],
      rows: [['default', 'experiment', 'service=metrics,mobile version=v1']],
      footer: paginationFooter('1'),
    });
    expect(out).toBe('MESH      NAME         TAGS\ndefault   experiment   service=metrics,mobile version=v1\n\nRerun command with --offset=1 argument to retrieve more resources\n');
  });

  it('keeps the padding before an empty last cell, as tabwriter does', () => {
    const out = renderTable({ headers: ['A', 'NOTES'], rows: [['x', '']] });
    expect(out).toBe('A   NOTES\nx   \n');
  });

  it('gives an all-empty column the padding only', () => {
    expect(renderTable({ headers: ['', 'B'], rows: [['', 'b']] })).toBe('   B\n   b\n');
  });

  it('prints only the header line for an empty list', () => {
    expect(renderTable({ headers: ['NAME', 'AGE'], rows: [] })).toBe('NAME   AGE\n');
  });

  it('counts runes, not UTF-16 units', () => {
    expect(renderTable({ headers: ['N', 'X'], rows: [['😀', 'y']] })).toBe('N   X\n😀   y\n');
  });
});

describe('pagination footer', () => {
  it('reads the offset of an absolute next URL', () => {
    expect(nextOffsetOf('http://127.0.0.1:5681/meshes?offset=2&size=2')).toBe('2');
    expect(nextOffsetOf(null)).toBeUndefined();
    expect(nextOffsetOf('')).toBeUndefined();
  });

  it('is empty without a next offset', () => {
    expect(paginationFooter(undefined)).toBeUndefined();
  });
});

describe('json and yaml printers', () => {
  it('prints JSON with two-space indent and a newline', () => {
    expect(renderJson({ total: 0, items: [], next: null })).toBe('{\n  "total": 0,\n  "items": [],\n  "next": null\n}\n');
  });

  it('prints YAML like Go: unindented sequences, YAML 1.1 look-alikes quoted, key order kept', async () => {
    const out = await renderYaml({ total: 1, items: [{ type: 'Mesh', name: 'on', creationTime: '2026-01-02T03:04:05Z' }], next: null });
    expect(out).toBe('total: 1\nitems:\n- type: Mesh\n  name: "on"\n  creationTime: "2026-01-02T03:04:05Z"\nnext: null\n');
  });

  it('does not fold long strings', async () => {
    const token = 'x'.repeat(300);
    expect(await renderYaml({ token })).toBe(`token: ${token}\n`);
  });
});
