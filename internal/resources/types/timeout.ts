/** Timeout (spec kuma-api-cli.md §1.10; Kuma timeout_validator.go). */
import type { Spec } from '../model';
import { Violations, checkPositiveDuration, isUnset, objectAt } from '../validation';
import { checkConnectionSelectors, confOf, legacyPolicy } from './legacy-policy';
import { protoMessage } from '../schema/field-schema';

// Each protocol section and the durations it holds; a present section needs at least one.
const SECTIONS: Record<string, readonly string[]> = {
  tcp: ['idleTimeout'],
  http: ['requestTimeout', 'idleTimeout', 'streamIdleTimeout', 'maxStreamDuration'],
  grpc: ['streamIdleTimeout', 'maxStreamDuration'],
};

function validate(spec: Spec) {
  const vs = new Violations();
  checkConnectionSelectors(vs, spec);
  const conf = confOf(vs, spec);
  if (!conf) return vs.list;
  checkPositiveDuration(vs, 'conf.connectTimeout', conf.connectTimeout);
  for (const [name, fields] of Object.entries(SECTIONS)) {
    const section = objectAt(vs, `conf.${name}`, conf[name]);
    if (!section) continue;
    if (fields.every((f) => isUnset(section[f]))) {
      vs.add(`conf.${name}`, 'at least one timeout in section has to be defined');
      continue;
    }
    for (const f of fields) checkPositiveDuration(vs, `conf.${name}.${f}`, section[f]);
  }
  return vs.list;
}

export const timeout = legacyPolicy({
  fields: protoMessage('kuma.mesh.v1alpha1.Timeout'),
  name: 'Timeout',
  path: 'timeouts',
  cliSingular: 'timeout',
  cliPlural: 'timeouts',
  validate,
});
