/** Name, mesh and label rules shared by every type (Kuma meta_validator.go). */
import type { Violation } from '../errors';
import type { ResourceDescriptor } from './registry';

const RFC1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MESH_CHARS = /^[0-9a-z\-_.]+$/;
// k8s qualified-name rules for label keys and values.
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const MAX_NAME_LENGTH = 253;
export const MAX_MESH_NAME_LENGTH = 63;

export function validateName(name: unknown, field = 'name'): Violation[] {
  if (typeof name !== 'string' || name === '') return [{ field, message: 'cannot be empty' }];
  const out: Violation[] = [];
  if (name.length > MAX_NAME_LENGTH) out.push({ field, message: 'value length must less or equal 253' });
  if (!RFC1123_SUBDOMAIN.test(name)) {
    out.push({
      field,
      message:
        "invalid characters. A lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
    });
  }
  return out;
}

export function validateMeshName(mesh: unknown, field = 'mesh'): Violation[] {
  if (typeof mesh !== 'string' || mesh === '') return [{ field, message: 'cannot be empty' }];
  // The looser mesh character set admits "." and ".."; as names they would read as relative paths.
  if (mesh === '.' || mesh === '..') return [{ field, message: 'cannot be "." or ".."' }];
  if (!MESH_CHARS.test(mesh)) {
    return [{ field, message: "invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_', '.' symbols." }];
  }
  return [];
}

export function validateLabels(labels: unknown): Violation[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels)) return [{ field: 'labels', message: 'must be a map of string to string' }];
  const out: Violation[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    const field = `labels["${k}"]`;
    const slash = k.lastIndexOf('/');
    const prefix = slash >= 0 ? k.slice(0, slash) : '';
    const name = slash >= 0 ? k.slice(slash + 1) : k;
    if (!name || name.length > 63 || !LABEL_NAME.test(name) || (slash >= 0 && (!prefix || prefix.length > 253 || !LABEL_PREFIX.test(prefix)))) {
      out.push({ field, message: "label key must be a qualified name: an optional DNS prefix and '/', then 63 or fewer alphanumeric characters, '-', '_' or '.'" });
    }
    if (typeof v !== 'string') out.push({ field, message: 'label value must be a string' });
    else if (v.length > 63 || !LABEL_VALUE.test(v)) {
      out.push({ field, message: "label value must be 63 or fewer alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character" });
    }
  }
  return out;
}

/** The meta rules for one resource: its name, its mesh (mesh-scoped types) and its labels. */
export function validateMeta(d: ResourceDescriptor, meta: { name: unknown; mesh?: unknown; labels?: unknown }): Violation[] {
  const out = validateName(meta.name);
  if (d.scope === 'Mesh') out.push(...validateMeshName(meta.mesh));
  if (d.name === 'Mesh' && typeof meta.name === 'string' && meta.name.length > MAX_MESH_NAME_LENGTH) {
    out.push({ field: 'name', message: 'cannot be longer than 63 characters' });
  }
  out.push(...validateLabels(meta.labels));
  return out;
}
