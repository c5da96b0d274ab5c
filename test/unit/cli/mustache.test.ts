import { describe, expect, it } from 'vitest';
import { contextFromVars, renderTemplate } from '../../../internal/cli/mustache';

describe('renderTemplate (kumactl apply --var)', () => {
  it('replaces variables with or without spaces inside the braces', () => {
    expect(renderTemplate('name: {{name}}\naddress: {{ address }}', { name: 'dp-1', address: '10.0.0.1' })).toBe('name: dp-1\naddress: 10.0.0.1');
  });

  it('fills dotted keys from nested values and keeps sibling keys', () => {
    expect(contextFromVars({ 'a.b': '1', 'a.c': '2', d: '3' })).toEqual({ a: { b: '1', c: '2' }, d: '3' });
    expect(renderTemplate('{{ a.b }}-{{ a.c }}-{{d}}', { 'a.b': '1', 'a.c': '2', d: '3' })).toBe('1-2-3');
  });

  it('renders unknown keys empty', () => {
    expect(renderTemplate('x: "{{ missing }}"', { other: 'y' })).toBe('x: ""');
  });

  it('HTML-escapes {{ }} as mustache does, but not {{{ }}} or {{& }}', () => {
    const vars = { v: `a&b<"c'>` };
    expect(renderTemplate('{{ v }}', vars)).toBe('a&amp;b&lt;&#34;c&#39;&gt;');
    expect(renderTemplate('{{{ v }}}', vars)).toBe(`a&b<"c'>`);
    expect(renderTemplate('{{& v }}', vars)).toBe(`a&b<"c'>`);
  });

  it('drops comments and leaves text without tags alone', () => {
    expect(renderTemplate('a{{! note }}b', {})).toBe('ab');
    expect(renderTemplate('plain: text { not a tag }', { x: '1' })).toBe('plain: text { not a tag }');
  });
});
