/**
 * MeshAccessLog (spec kuma-api-cli.md §1.11; Kuma 2.14 meshaccesslog validator.go): `to`, `from`
 * and `rules`; each conf lists backends (File, Tcp, OpenTelemetry) with a Plain or Json format.
 */
import { MUST_BE_DEFINED, type Violations, checkBool, checkEnum, isObject, isOtelGrpcEndpoint, isUnset, listAt, objectAt } from '../validation';
import { type TargetRefPolicyShape, defineTargetRefPolicy } from './target-ref-policy';
import { FREE, VALUE, message } from '../schema/field-schema';

const BACKEND_TYPES = ['Tcp', 'File', 'OpenTelemetry'] as const;
const FORMAT_TYPES = ['Plain', 'Json'] as const;

/** govalidator.IsFilePath: an absolute Unix path or a Windows drive path. */
function isFilePath(v: unknown): boolean {
  return typeof v === 'string' && (/^\/[^\0]*$/.test(v) || /^[a-zA-Z]:\\/.test(v));
}

/** govalidator.IsURL, loosely: `host:port` or `scheme://host[:port]` with a non-empty host. */
function isAddress(v: unknown): boolean {
  if (typeof v !== 'string' || v === '' || /\s/.test(v)) return false;
  try {
    return new URL(v.includes('://') ? v : `tcp://${v}`).hostname !== '';
  } catch {
    return false;
  }
}

const OTLP_UNSUPPORTED_VALUES = new Set(['boolValue', 'bool_value', 'intValue', 'int_value', 'doubleValue', 'double_value', 'bytesValue', 'bytes_value']);

/** Envoy refuses an OTLP body with other than string, kvlist and array values (the whole config with it). */
function checkOtelBody(vs: Violations, field: string, v: unknown): void {
  if (Array.isArray(v)) v.forEach((x, i) => checkOtelBody(vs, `${field}[${i}]`, x));
  else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (OTLP_UNSUPPORTED_VALUES.has(k)) vs.add(`${field}.${k}`, 'only stringValue, kvlistValue and arrayValue are supported in an OpenTelemetry body');
      else checkOtelBody(vs, `${field}.${k}`, x);
    }
  }
}

function checkFormat(vs: Violations, field: string, format: Record<string, unknown>): void {
  if (isUnset(format.type)) {
    vs.add(`${field}.type`, MUST_BE_DEFINED);
    return;
  }
  checkEnum(vs, `${field}.type`, format.type, FORMAT_TYPES);
  checkBool(vs, `${field}.omitEmptyValues`, format.omitEmptyValues);
  if (format.type === 'Plain') {
    if (isUnset(format.plain)) vs.add(`${field}.plain`, MUST_BE_DEFINED);
    else if (typeof format.plain !== 'string' || format.plain === '') vs.add(`${field}.plain`, 'must not be empty');
  } else if (format.type === 'Json') {
    if (isUnset(format.json)) {
      vs.add(`${field}.json`, MUST_BE_DEFINED);
      return;
    }
    const entries = listAt(vs, `${field}.json`, format.json);
    if (Array.isArray(format.json) && entries.length === 0) vs.add(`${field}.json`, 'must not be empty');
    entries.forEach((e, i) => {
      const f = `${field}.json[${i}]`;
      const key = isObject(e) ? e.key : undefined;
      const value = isObject(e) ? e.value : undefined;
      if (typeof key !== 'string' || key === '') vs.add(`${f}.key`, 'key cannot be empty');
      if (typeof value !== 'string' || value === '') vs.add(`${f}.value`, 'value cannot be empty');
      // Kuma checks that the pair, pasted into `{"key": "value"}` as is, is JSON.
      try {
        JSON.parse(`{"${String(key ?? '')}": "${String(value ?? '')}"}`);
      } catch {
        vs.add(f, 'is not a valid JSON object');
      }
    });
  }
}

function checkBackend(vs: Violations, field: string, b: Record<string, unknown>): void {
  if (isUnset(b.type)) {
    vs.add(`${field}.type`, MUST_BE_DEFINED);
    return;
  }
  checkEnum(vs, `${field}.type`, b.type, BACKEND_TYPES);
  const section = (name: 'file' | 'tcp' | 'openTelemetry'): Record<string, unknown> | undefined => {
    if (isUnset(b[name])) {
      vs.add(`${field}.${name}`, MUST_BE_DEFINED);
      return undefined;
    }
    return objectAt(vs, `${field}.${name}`, b[name]);
  };
  if (b.type === 'File') {
    const file = section('file');
    if (!file) return;
    const format = objectAt(vs, `${field}.file.format`, file.format);
    if (format) checkFormat(vs, `${field}.file.format`, format);
    if (!isFilePath(file.path)) vs.add(`${field}.file.path`, 'file backend requires a valid path');
  } else if (b.type === 'Tcp') {
    const tcp = section('tcp');
    if (!tcp) return;
    const format = objectAt(vs, `${field}.tcp.format`, tcp.format);
    if (format) checkFormat(vs, `${field}.tcp.format`, format);
    if (!isAddress(tcp.address)) vs.add(`${field}.tcp.address`, 'tcp backend requires valid address');
  } else if (b.type === 'OpenTelemetry') {
    const otel = section('openTelemetry');
    if (!otel) return;
    if (typeof otel.endpoint !== 'string' || otel.endpoint === '') vs.add(`${field}.openTelemetry.endpoint`, MUST_BE_DEFINED);
    // A port Envoy cannot take would be NACKed with the whole config; refuse it here.
    else if (!isOtelGrpcEndpoint(otel.endpoint)) vs.add(`${field}.openTelemetry.endpoint`, 'must be a valid address: host or host:port');
    checkOtelBody(vs, `${field}.openTelemetry.body`, otel.body);
    listAt(vs, `${field}.openTelemetry.attributes`, otel.attributes).forEach((kv, i) => {
      const f = `${field}.openTelemetry.attributes[${i}]`;
      if (!isObject(kv) || typeof kv.key !== 'string' || kv.key === '') vs.add(`${f}.key`, 'key cannot be empty');
      if (isObject(kv) && !isUnset(kv.value) && typeof kv.value !== 'string') vs.add(`${f}.value`, 'must be a string');
    });
  }
}

function conf(vs: Violations, field: string, c: Record<string, unknown>): void {
  if (isUnset(c.backends)) {
    vs.add(`${field}.backends`, MUST_BE_DEFINED);
    return;
  }
  listAt(vs, `${field}.backends`, c.backends).forEach((b, i) => {
    if (isObject(b)) checkBackend(vs, `${field}.backends[${i}]`, b);
    else vs.add(`${field}.backends[${i}]`, 'must be an object');
  });
}

const FORMAT = message({ type: VALUE, plain: VALUE, json: message({ key: VALUE, value: VALUE }), omitEmptyValues: VALUE });

/** Kuma meshaccesslog Conf. */
const CONF_FIELDS = message({
  backends: message({
    type: VALUE,
    file: message({ path: VALUE, format: FORMAT }),
    tcp: message({ address: VALUE, format: FORMAT }),
    openTelemetry: message({ endpoint: VALUE, body: FREE, attributes: message({ key: VALUE, value: VALUE }) }),
  }),
});

const shape: TargetRefPolicyShape = {
  topKinds: ['Mesh', 'MeshSubset', 'MeshGateway', 'MeshService', 'MeshServiceSubset', 'Dataplane'],
  to: { kinds: ['Mesh', 'MeshService', 'MeshExternalService', 'MeshMultiZoneService'], conf, fields: CONF_FIELDS },
  from: { kinds: ['Mesh'], conf, fields: CONF_FIELDS },
  rules: { conf, fields: CONF_FIELDS },
};

export const meshAccessLog = defineTargetRefPolicy({ name: 'MeshAccessLog', path: 'meshaccesslogs', shortName: 'mal' }, shape);
