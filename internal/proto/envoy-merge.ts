/**
 * Protobuf merge of two Envoy messages in protojson form, with the two departures Kuma's
 * MeshProxyPatch makes from plain proto.Merge (pkg/util/proto): a Duration is replaced whole (so
 * `0.5s` over `5s` gives 0.5 s, not 5.5 s), and two Anys of the same type merge their unpacked
 * messages (so a patch can change one field of a filter's typed_config). Otherwise: set scalars
 * and enums replace, messages merge recursively, lists append, map entries replace, and setting
 * another member of a oneof replaces the one that was set.
 */
import type { JsonValue } from '@bufbuild/protobuf';
import type { ReflectMessage } from '@bufbuild/protobuf/reflect';
import type { Any } from '@bufbuild/protobuf/wkt';
import { envoyDesc, envoyRegistry } from './envoy-json';
import { protobuf, protobufReflect, protobufWkt } from './protobuf-lazy';

function mergeAny(target: ReflectMessage, source: ReflectMessage): void {
  const t = target.message as unknown as Any;
  const s = source.message as unknown as Any;
  const reg = envoyRegistry();
  const { anyPack, anyUnpack } = protobufWkt();
  const { reflect } = protobufReflect();
  const tm = t.typeUrl === s.typeUrl ? anyUnpack(t, reg) : undefined;
  const sm = tm ? anyUnpack(s, reg) : undefined;
  const desc = tm ? reg.getMessage(tm.$typeName) : undefined;
  if (!tm || !sm || !desc) {
    t.typeUrl = s.typeUrl;
    t.value = s.value;
    return;
  }
  reflectMerge(reflect(desc, tm), reflect(desc, sm));
  anyPack(desc, tm, t);
}

function reflectMerge(target: ReflectMessage, source: ReflectMessage): void {
  const type = target.desc.typeName;
  if (type === 'google.protobuf.Any') return mergeAny(target, source);
  const whole = type === 'google.protobuf.Duration';
  for (const f of target.fields) {
    if (!source.isSet(f)) {
      if (whole) target.clear(f);
      continue;
    }
    switch (f.fieldKind) {
      case 'scalar':
      case 'enum':
        target.set(f, source.get(f));
        break;
      case 'message':
        if (target.isSet(f) && !whole) reflectMerge(target.get(f), source.get(f));
        else target.set(f, source.get(f));
        break;
      case 'list': {
        const list = target.get(f);
        for (const e of source.get(f)) list.add(e);
        break;
      }
      case 'map': {
        const map = target.get(f);
        for (const [k, v] of source.get(f)) map.set(k, v);
        break;
      }
    }
  }
}

/** The protojson of `target` with `source` merged in (both protojson of `typeName`); inputs untouched. */
export function mergeEnvoyJson(typeName: string, target: unknown, source: unknown): JsonValue {
  const d = envoyDesc(typeName);
  const reg = envoyRegistry();
  const { fromJson, toJson, toBinary, fromBinary } = protobuf();
  const { reflect } = protobufReflect();
  const t = fromJson(d, target as JsonValue, { registry: reg });
  const s = fromJson(d, source as JsonValue, { registry: reg });
  reflectMerge(reflect(d, t), reflect(d, s));
  // Through the binary form so that the result is exactly what Envoy would be sent.
  return toJson(d, fromBinary(d, toBinary(d, t)), { registry: reg });
}
