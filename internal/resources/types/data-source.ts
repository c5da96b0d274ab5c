/** Kuma's DataSource (api/system/v1alpha1/datasource.proto) and the secret `data` bytes: base64 payloads. */
import type { Spec } from '../model';
import { Violations, isObject, isUnset } from '../validation';

const KINDS = ['secret', 'file', 'inline', 'inlineString'] as const;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isBase64(v: unknown): v is string {
  return typeof v === 'string' && BASE64_RE.test(v.replace(/\s+/g, ''));
}

export function checkDataSource(vs: Violations, field: string, v: unknown): void {
  if (isUnset(v)) return;
  if (!isObject(v)) {
    vs.add(field, 'must be an object');
    return;
  }
  const set = KINDS.filter((k) => !isUnset(v[k]));
  if (set.length !== 1) {
    vs.add(field, `data source has to be chosen. Available sources: ${KINDS.join(', ')}`);
    return;
  }
  const kind = set[0]!;
  const value = v[kind];
  if (typeof value !== 'string' || value === '') vs.add(`${field}.${kind}`, 'cannot be empty');
  else if (kind === 'inline' && !isBase64(value)) vs.add(`${field}.inline`, 'must be a valid base64 string');
}

/** The `data` field Secret and GlobalSecret share: non-empty base64 bytes. */
export function validateSecretData(spec: Spec) {
  const vs = new Violations();
  const data = spec.data;
  if (data === undefined || data === null || data === '') vs.add('data', 'cannot be empty');
  else if (!isBase64(data)) vs.add('data', 'must be a valid base64 string');
  return vs.list;
}
