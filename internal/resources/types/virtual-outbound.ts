/** VirtualOutbound (spec kuma-api-cli.md §1.10; Kuma virtual_outbound_validator.go). */
import type { Spec } from '../model';
import { TAG } from '../model';
import { Violations, checkSelectors, isObject, listAt } from '../validation';
import { confOf, legacyPolicy } from './legacy-policy';
import { protoMessage } from '../schema/field-schema';

// Tag-name characters, and the characters of a Go template key.
const TAG_NAME_RE = /^[a-zA-Z0-9.\-_:/]+$/;
const PARAM_NAME_RE = /^[a-zA-Z0-9]+$/;

/**
 * Pre-evaluates a host/port template the way Kuma does before accepting it:
 * every `{{.name}}` must name a parameter. Returns the rendered text or an error.
 */
function render(template: string, names: Set<string>, value: string): { out?: string; error?: string } {
  let error: string | undefined;
  const out = template.replace(/\{\{(.*?)\}\}/g, (_, inner: string) => {
    const m = /^\s*\.([a-zA-Z0-9]+)\s*$/.exec(inner);
    if (!m) error ??= `unsupported template action "{{${inner}}}"`;
    else if (!names.has(m[1]!)) error ??= `map has no entry for key "${m[1]}"`;
    return value;
  });
  return error ? { error } : { out };
}

function validate(spec: Spec) {
  const vs = new Violations();
  checkSelectors(vs, 'selectors', spec.selectors, { required: true });
  const conf = confOf(vs, spec);
  if (!conf) return vs.list;

  const names = new Set<string>();
  let hasService = false;
  listAt(vs, 'conf.parameters', conf.parameters).forEach((p, i) => {
    const f = `conf.parameters[${i}]`;
    const param = isObject(p) ? p : {};
    const name = typeof param.name === 'string' ? param.name : '';
    if (names.has(name)) vs.add(`${f}.name`, 'name is already used');
    names.add(name);
    if (typeof param.tagKey === 'string' && param.tagKey !== '') {
      hasService ||= param.tagKey === TAG.service;
      if (!TAG_NAME_RE.test(param.tagKey)) vs.add(`${f}.tagKey`, 'must be a valid tag name');
    } else if (!TAG_NAME_RE.test(name)) {
      vs.add(`${f}.name`, 'must be a valid tag name if you are not setting tagKey');
    }
    if (!PARAM_NAME_RE.test(name)) vs.add(`${f}.name`, 'must consist of alphanumeric characters to be used as a gotemplate key');
  });
  // Every generated outbound routes to a service, so one parameter must carry it.
  if (!hasService) vs.add('conf.parameters', `must contain a parameter with ${TAG.service} as a tagKey`);

  for (const key of ['host', 'port'] as const) {
    const t = conf[key];
    if (typeof t !== 'string' || t === '') {
      vs.add(`conf.${key}`, 'has to be defined');
      continue;
    }
    const r = render(t, names, key === 'host' ? 'dummy' : '1');
    let error = r.error;
    if (!error && key === 'port' && !/^\d+$/.test(r.out!)) error = `port "${r.out}" is not a number`;
    if (error) vs.add(`conf.${key}`, `template pre evaluation failed with error='${error}'`);
  }
  return vs.list;
}

export const virtualOutbound = legacyPolicy({
  fields: protoMessage('kuma.mesh.v1alpha1.VirtualOutbound'),
  name: 'VirtualOutbound',
  path: 'virtual-outbounds',
  cliSingular: 'virtual-outbound',
  cliPlural: 'virtual-outbounds',
  validate,
});
