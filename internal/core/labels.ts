/**
 * Labels the server computes and the label rules it enforces
 * (Kuma ComputeLabels and the REST label validation, spec §1.1 and §2.5).
 */
import type { Violation } from '../errors';
import { LABEL } from '../resources/model';
import type { ResourceDescriptor } from '../resources/registry';

export interface LabelContext {
  mode: 'global' | 'zone';
  federated: boolean;
  zoneName: string;
  /** multizone.zone.disableOriginLabelValidation: a federated zone then takes policies without `kuma.io/origin: zone`. */
  disableOriginLabelValidation?: boolean;
}

/** The global stores a zone's resources as `<zone>.<name>` at worst (pre-hash peers), so that must fit 253. */
export function nameFitsGlobal(name: string, ctx: LabelContext): boolean {
  return `${ctx.zoneName}.${name}`.length < 253;
}

/** Violations of the origin/zone/mesh label rules for a write arriving through the API. */
export function checkLabelRules(d: ResourceDescriptor, mesh: string, labels: Record<string, string>, ctx: LabelContext): Violation[] {
  const out: Violation[] = [];
  const origin = labels[LABEL.origin];
  if (origin !== undefined && origin !== 'global' && origin !== 'zone') {
    out.push({ field: `labels["${LABEL.origin}"]`, message: `unknown resource origin "${origin}"` });
  }
  // The escape hatch lifts only the origin checks; the zone and mesh label rules stand.
  const checkOrigin = !ctx.disableOriginLabelValidation;
  if (checkOrigin && ctx.mode === 'global' && origin !== undefined && origin !== 'global') {
    out.push({ field: `labels["${LABEL.origin}"]`, message: "the origin label must be set to 'global'" });
  }
  if (checkOrigin && ctx.mode === 'zone' && ctx.federated && d.nestedSpec && origin !== 'zone') {
    out.push({ field: `labels["${LABEL.origin}"]`, message: "the origin label must be set to 'zone'" });
  }
  if (ctx.mode === 'zone' && labels[LABEL.zone] !== undefined && origin !== 'global' && labels[LABEL.zone] !== ctx.zoneName) {
    out.push({ field: `labels["${LABEL.zone}"]`, message: `kuma.io/zone label should have ${ctx.zoneName} value` });
  }
  if (d.scope === 'Mesh' && labels[LABEL.mesh] !== undefined && labels[LABEL.mesh] !== mesh) {
    out.push({ field: `labels["${LABEL.mesh}"]`, message: 'kuma.io/mesh label must not differ from mesh set on resource' });
  }
  return out;
}

/** The labels stored for a write: the user's plus the computed ones. */
export function computeLabels(d: ResourceDescriptor, mesh: string, labels: Record<string, string>, ctx: LabelContext): Record<string, string> {
  const out = { ...labels };
  if (d.scope === 'Mesh' && !out[LABEL.mesh]) out[LABEL.mesh] = mesh;
  if (ctx.mode === 'zone' && d.providedByZone) {
    if (!out[LABEL.origin]) out[LABEL.origin] = 'zone';
    if (out[LABEL.origin] !== 'global') {
      if (!out[LABEL.zone]) out[LABEL.zone] = ctx.zoneName;
      if (!out[LABEL.env]) out[LABEL.env] = 'universal';
    }
  }
  if (d.proxyType && !out[LABEL.proxyType]) out[LABEL.proxyType] = d.proxyType;
  return out;
}

const IMMUTABLE = [LABEL.origin, LABEL.zone, LABEL.displayName];

/** On update, origin, zone and display-name labels may not change or disappear. */
export function checkImmutableLabels(before: Record<string, string>, after: Record<string, string>): Violation[] {
  const out: Violation[] = [];
  for (const k of IMMUTABLE) {
    const a = before[k];
    const b = after[k];
    if (a === undefined || a === b) continue;
    out.push({
      field: `labels["${k}"]`,
      message: b === undefined ? `is immutable, cannot be removed (was "${a}")` : `is immutable, cannot be changed from "${a}" to "${b}"`,
    });
  }
  return out;
}
