/**
 * HostnameGenerator (spec kuma-kds-xds.md §3.8; Kuma hostnamegenerator/api/v1alpha1): a Go-style
 * template (`{{ .DisplayName }}`, `{{ .Namespace }}`, `{{ .Zone }}`, `{{ label "k" }}`) that gives
 * a hostname to every MeshService, MeshExternalService or MeshMultiZoneService its selector's
 * labels match. Global-scoped; authored on the global or a zone, never synced zone to zone.
 */
import type { Spec } from '../model';
import { defineType } from '../define';
import { FREE, VALUE, message } from '../schema/field-schema';
import { MUST_BE_DEFINED, Violations, objectAt } from '../validation';
import { KDS_GLOBAL_AND_ZONE, MATCH_LABELS, checkMatchLabels , rootedAtSpec } from './mesh-service-common';

const KINDS = ['meshService', 'meshExternalService', 'meshMultiZoneService'] as const;
const ACTION = /\{\{\s*(\.DisplayName|\.Namespace|\.Zone|\.Mesh|label\s+"[^"]+")\s*\}\}/g;

function validate(spec: Spec) {
  const vs = new Violations();
  const selector = objectAt(vs, 'selector', spec.selector);
  if (!selector) vs.add('selector', MUST_BE_DEFINED);
  else {
    const set = KINDS.filter((k) => selector[k] !== undefined && selector[k] !== null);
    if (set.length !== 1) vs.add('selector', 'exactly one of meshService, meshExternalService, meshMultiZoneService must be defined');
    for (const k of set) checkMatchLabels(vs, `selector.${k}`, selector[k], true);
  }
  if (typeof spec.template !== 'string' || spec.template === '') vs.add('template', MUST_BE_DEFINED);
  else {
    // Every action replaced by a valid label character: what is left must be a DNS name.
    const literal = spec.template.replace(ACTION, 'x');
    if (literal.includes('{{')) vs.add('template', 'unsupported template action: only .DisplayName, .Namespace, .Zone, .Mesh and label "key" are allowed');
    else if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(literal)) vs.add('template', 'must render a valid DNS name (lowercase labels separated by single dots)');
  }
  const ext = objectAt(vs, 'extension', spec.extension);
  if (ext && (typeof ext.type !== 'string' || ext.type === '')) vs.add('extension.type', MUST_BE_DEFINED);
  return vs.list;
}

export const hostnameGenerator = defineType({
  name: 'HostnameGenerator',
  scope: 'Global',
  path: 'hostnamegenerators',
  cliSingular: 'hostnamegenerator',
  cliPlural: 'hostnamegenerators',
  shortName: 'hg',
  nestedSpec: true,
  kds: KDS_GLOBAL_AND_ZONE,
  providedByGlobal: true,
  providedByZone: true,
  fields: message({
    selector: message({ meshService: MATCH_LABELS, meshExternalService: MATCH_LABELS, meshMultiZoneService: MATCH_LABELS }),
    template: VALUE,
    extension: message({ type: VALUE, config: FREE }),
  }),
  validate: rootedAtSpec(validate),
});
