/** RFC 6902 operations (examples from the RFC's appendix A) and the errors MeshProxyPatch reports. */
import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from '../../../internal/xds/generators/proxy-patch/json-patch';

describe('applyJsonPatch', () => {
  it.each([
    ['add an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { foo: 'bar', baz: 'qux' }],
    ['add an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
    ['append with -', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc'] }], { foo: ['bar', ['abc']] }],
    ['remove an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
    ['remove an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
    ['replace a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
    ['move a value', { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }], { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } }],
    ['move an array element', { foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }], { foo: ['all', 'cows', 'eat', 'grass'] }],
    ['copy', { a: { b: 1 } }, [{ op: 'copy', from: '/a', path: '/c' }], { a: { b: 1 }, c: { b: 1 } }],
    ['escaped tokens', { 'a/b': 1, 'm~n': 2 }, [{ op: 'replace', path: '/a~1b', value: 3 }, { op: 'remove', path: '/m~0n' }], { 'a/b': 3 }],
    ['test then replace', { a: [1, { b: 2 }] }, [{ op: 'test', path: '/a', value: [1, { b: 2 }] }, { op: 'replace', path: '/a/1/b', value: 3 }], { a: [1, { b: 3 }] }],
    ['replace the root', { a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }], { b: 2 }],
  ])('%s', (_, doc, patch, want) => {
    const before = structuredClone(doc);
    expect(applyJsonPatch(doc, patch)).toEqual(want);
    expect(doc).toEqual(before);
  });

  it.each([
    ['a missing parent', { foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }], 'jsonPatches[0]: path "/baz/bat": "/baz" does not exist'],
    ['a missing member to replace', { foo: 1 }, [{ op: 'replace', path: '/bar', value: 2 }], 'jsonPatches[0]: path "/bar" does not exist'],
    ['a failed test', { baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }], 'jsonPatches[0]: test failed: the value at "/baz" is not "bar"'],
    ['an index out of range', { a: [1] }, [{ op: 'add', path: '/a/5', value: 2 }], 'jsonPatches[0]: path "/a/5": index 5 is out of range (the array has 1 items)'],
    ['a non-numeric index', { a: [1] }, [{ op: 'remove', path: '/a/x' }], 'jsonPatches[0]: path "/a/x": "x" is not an array index'],
    ['a move into its own child', { a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }], 'jsonPatches[0]: "from" /a cannot be moved into its own child /a/b/c'],
    ['the second op failing', { a: 1 }, [{ op: 'remove', path: '/a' }, { op: 'remove', path: '/a' }], 'jsonPatches[1]: path "/a" does not exist'],
  ])('reports %s', (_, doc, patch, msg) => {
    expect(() => applyJsonPatch(doc, patch)).toThrow(msg);
  });
});
