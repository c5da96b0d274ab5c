/**
 * The write path every writer goes through (REST API, defaults, later KDS
 * and the DP server): validate fully, apply Kuma's cross-resource rules,
 * compute labels, then write everything in one store transaction.
 */
import { BadRequestError, NotFoundError, ReadOnlyError, ValidationError, type Violation } from '../errors';
import type { ParsedResource } from '../resources/codec';
import { validateMeshName, validateMeta, validateName } from '../resources/meta-validator';
import { LABEL, TAG, type Resource, type ResourceInput, type ResourceKey, type Spec } from '../resources/model';
import type { Registry, ResourceDescriptor } from '../resources/registry';
import type { ResourceStore, WriteOp } from '../store/resource-store';
import { dataplaneSigningKeyName, newSigningKeyData } from '../auth/signing-key';
import { checkImmutableLabels, checkLabelRules, computeLabels, nameFitsGlobal, type LabelContext } from './labels';
import { defaultMeshPolicies } from './mesh-defaults';
import { isOnline } from './insight-status';
import { hasStatus, syncedStatusKey } from '../meshservice/synced-status';

export interface ManagerDeps {
  store: ResourceStore;
  registry: Registry;
  ctx: LabelContext;
  unsafeDelete: boolean;
  /** Everything read-only (KUMA_API_SERVER_READ_ONLY). */
  readOnly: boolean;
  /** Whether a zone CP holds a live KDS link to this global; without it the stored ZoneInsight decides. */
  zoneConnected?: (zone: string) => boolean;
}

export const READ_ONLY_ON_GLOBAL =
  "On global control plane you can not modify dataplane resources with 'kumactl apply' or via the HTTP API. You can still use 'kumactl' or the HTTP API to modify them on the zone control plane.\n";
export const READ_ONLY_ON_ZONE =
  "On zone control plane you can only modify zone resources with 'kumactl apply' or via the HTTP API. You can still use 'kumactl' or the HTTP API to modify the rest of the resource on the global control plane.\n";
export const READ_ONLY_SERVER = 'The control plane API is read-only (KUMA_API_SERVER_READ_ONLY=true).';

export interface UpsertResult {
  created: boolean;
  resource: Resource;
}

export class ResourceManager {
  readonly #d: ManagerDeps;

  constructor(deps: ManagerDeps) {
    this.#d = deps;
  }

  /** Throws ReadOnlyError with Kuma's text when this CP may not write the type through its API (spec §2.8). */
  assertWritable(d: ResourceDescriptor): void {
    const { ctx } = this.#d;
    if (ctx.mode === 'zone' && d.readOnlyOnZone) throw new ReadOnlyError(d.readOnlyOnZone);
    if (ctx.mode === 'global' && !d.providedByGlobal) throw new ReadOnlyError(READ_ONLY_ON_GLOBAL);
    if (ctx.mode === 'zone' && ctx.federated && !d.providedByZone) throw new ReadOnlyError(READ_ONLY_ON_ZONE);
    if (d.readOnly) throw new ReadOnlyError(ctx.mode === 'global' ? READ_ONLY_ON_GLOBAL : READ_ONLY_ON_ZONE);
    if (this.#d.readOnly) throw new ReadOnlyError(ctx.mode === 'global' ? READ_ONLY_ON_GLOBAL : ctx.federated ? READ_ONLY_ON_ZONE : READ_ONLY_SERVER);
  }

  /** Every violation of one parsed resource, as the API would report them (no write). */
  validate(p: ParsedResource): Violation[] {
    const d = p.descriptor;
    const vs = [...p.unknownFields, ...validateMeta(d, p)];
    vs.push(...d.validate(p.spec).map((v) => (d.nestedSpec && !v.field.startsWith('spec') ? { ...v, field: v.field ? `spec.${v.field}` : 'spec' } : v)));
    if (this.#d.ctx.mode === 'zone' && this.#d.ctx.federated && !nameFitsGlobal(p.name, this.#d.ctx)) vs.push({ field: 'name', message: 'the length of the name must be shorter' });
    vs.push(...checkLabelRules(d, p.mesh, p.labels, this.#d.ctx));
    return vs;
  }

  /** Create-or-update (PUT semantics). Validates fully before writing anything. */
  async upsert(p: ParsedResource): Promise<UpsertResult> {
    const d = p.descriptor;
    const vs = this.validate(p);
    if (vs.length) throw new ValidationError(vs);
    if (d.scope === 'Mesh' && !this.#d.store.get({ type: 'Mesh', mesh: '', name: p.mesh })) {
      throw new BadRequestError('Mesh is not found', [{ field: 'mesh', message: `mesh of name ${p.mesh} is not found` }]);
    }
    const key: ResourceKey = { type: d.name, mesh: d.scope === 'Mesh' ? p.mesh : '', name: p.name };
    const current = this.#d.store.get(key);
    const labels = computeLabels(d, key.mesh, p.labels, this.#d.ctx);
    const spec = this.#stamp(d, p.spec);
    if (current) {
      this.#assertOwnOrigin(current);
      const more = checkImmutableLabels(current.labels, labels);
      if (d.name === 'Mesh') more.push(...checkMeshUpdate(current.spec, spec));
      if (more.length) throw new ValidationError(more);
      const [r] = await this.#d.store.transact([{ op: 'update', resource: { ...key, labels, spec }, version: current.version }]);
      return { created: false, resource: r! };
    }
    const ops: WriteOp[] = [{ op: 'create', resource: { ...key, labels, spec } }];
    if (d.name === 'Mesh') ops.push(...(await this.#meshCompanions(key.name, spec)));
    const [r] = await this.#d.store.transact(ops);
    return { created: true, resource: r! };
  }

  /** Writes that come from the CP itself (defaults, insights): no API rules, still one transaction. */
  async writeSystem(inputs: ResourceInput[]): Promise<void> {
    const ops: WriteOp[] = inputs.map((r) => {
      const cur = this.#d.store.get(r);
      return cur ? { op: 'update', resource: r, version: cur.version } : { op: 'create', resource: r };
    });
    if (ops.length) await this.#d.store.transact(ops);
  }

  /** Creates a Mesh with its default policies and signing key, as the API would. */
  async createMesh(name: string, spec: Spec = {}): Promise<Resource> {
    const d = this.#d.registry.mustByName('Mesh');
    const labels = computeLabels(d, '', {}, this.#d.ctx);
    const [r] = await this.#d.store.transact([{ op: 'create', resource: { type: 'Mesh', mesh: '', name, labels, spec } }, ...(await this.#meshCompanions(name, spec))]);
    return r!;
  }

  /**
   * Boot-time healing (Kuma reconciles existing defaults the same way): default policies written
   * by an older build lack the computed labels; relabel the ones still present, never recreate.
   */
  async relabelMeshDefaults(): Promise<number> {
    const ops: WriteOp[] = [];
    for (const mesh of this.#d.store.list('Mesh').items) {
      for (const r of defaultMeshPolicies(mesh.name, {})) {
        const cur = this.#d.store.get(r);
        if (!cur) continue;
        const labels = computeLabels(this.#d.registry.mustByName(r.type), mesh.name, cur.labels, this.#d.ctx);
        if (Object.keys(labels).every((k) => cur.labels[k] === labels[k])) continue;
        ops.push({ op: 'update', resource: { type: cur.type, mesh: cur.mesh, name: cur.name, labels, spec: cur.spec }, version: cur.version });
      }
    }
    if (ops.length) await this.#d.store.transact(ops);
    return ops.length;
  }

  async delete(d: ResourceDescriptor, key: ResourceKey): Promise<void> {
    const { store } = this.#d;
    // The API router checks names already; a delete that cascades must never start from a key it would refuse.
    const bad = [...validateName(key.name), ...(d.scope === 'Mesh' ? validateMeshName(key.mesh) : [])];
    if (bad.length) throw new ValidationError(bad);
    if (key.type !== d.name) throw new BadRequestError(`key type ${key.type} does not match ${d.name}`);
    const current = store.get(key);
    if (!current) throw new NotFoundError();
    this.#assertOwnOrigin(current);
    const ops: WriteOp[] = [{ op: 'delete', key, version: current.version }];
    if (d.name === 'Mesh') {
      if (!this.#d.unsafeDelete && store.count('Dataplane', key.name) > 0) {
        throw new ValidationError([{ field: 'mesh', message: 'unable to delete mesh, there are still some dataplanes attached' }]);
      }
      for (const t of this.#d.registry.all()) {
        if (t.scope !== 'Mesh') continue;
        for (const r of store.list(t.name, { mesh: key.name }).items) ops.push({ op: 'delete', key: { type: r.type, mesh: r.mesh, name: r.name } });
      }
      const insight = store.get({ type: 'MeshInsight', mesh: '', name: key.name });
      if (insight) ops.push({ op: 'delete', key: { type: 'MeshInsight', mesh: '', name: key.name } });
    }
    if (d.name === 'Zone') {
      const insight = store.get({ type: 'ZoneInsight', mesh: '', name: key.name });
      // The live links are the truth; the insight can lag a flush behind them.
      const connected = this.#d.zoneConnected ? this.#d.zoneConnected(key.name) : !!insight && isOnline(insight.spec);
      if (connected) {
        throw new ValidationError([{ field: 'zone', message: 'unable to delete Zone, Zone CP is still connected, please shut it down first' }]);
      }
      if (insight) ops.push({ op: 'delete', key: { type: 'ZoneInsight', mesh: '', name: key.name } });
      // Everything the zone synced up goes with it (Kuma: owner references to the Zone).
      for (const t of this.#d.registry.all()) {
        if (!t.kds.zoneToGlobal) continue;
        for (const r of store.list(t.name, { labels: { [LABEL.zone]: key.name, [LABEL.origin]: 'zone' } }).items) {
          ops.push({ op: 'delete', key: { type: r.type, mesh: r.mesh, name: r.name } });
        }
      }
    }
    if (d.insightType) {
      const ik = { type: d.insightType, mesh: key.mesh, name: key.name };
      if (store.get(ik) && !ops.some((o) => o.op === 'delete' && o.key.type === ik.type)) ops.push({ op: 'delete', key: ik });
    }
    // The status a zone sent with a resource (global only) goes with the resource.
    for (const o of [...ops]) {
      if (o.op !== 'delete' || !hasStatus(o.key.type)) continue;
      const sk = syncedStatusKey(o.key);
      if (store.get(sk)) ops.push({ op: 'delete', key: sk });
    }
    await store.transact(ops);
  }

  /**
   * A copy synced from the other side is not editable here: a federated zone may not
   * change what came from the global, the global may not change what a zone sent up.
   */
  #assertOwnOrigin(current: Resource): void {
    const { ctx } = this.#d;
    if (ctx.disableOriginLabelValidation) return;
    const origin = current.labels[LABEL.origin];
    if (ctx.mode === 'zone' && ctx.federated && origin === 'global') {
      throw new ValidationError([{ field: `labels["${LABEL.origin}"]`, message: "the origin label must be set to 'zone'" }]);
    }
    if (ctx.mode === 'global' && origin === 'zone') {
      throw new ValidationError([{ field: `labels["${LABEL.origin}"]`, message: "the origin label must be set to 'global'" }]);
    }
  }

  async #meshCompanions(mesh: string, spec: Spec): Promise<WriteOp[]> {
    const ops: WriteOp[] = [];
    // Labelled as an API write would be (Kuma's ensureDefaultResource computes them): on a zone CP
    // they carry origin zone and the zone, so their KRIs name it.
    for (const r of defaultMeshPolicies(mesh, spec)) {
      if (this.#d.store.get(r)) continue;
      const d = this.#d.registry.mustByName(r.type);
      ops.push({ op: 'create', resource: { ...r, labels: computeLabels(d, mesh, r.labels ?? {}, this.#d.ctx) } });
    }
    const keyName = dataplaneSigningKeyName(mesh);
    if (!this.#d.store.get({ type: 'Secret', mesh, name: keyName })) {
      ops.push({ op: 'create', resource: { type: 'Secret', mesh, name: keyName, labels: { [LABEL.mesh]: mesh }, spec: { data: await newSigningKeyData() } } });
    }
    return ops;
  }

  /** On a zone CP every inbound and gateway carries the zone tag (Kuma's dataplane manager). */
  #stamp(d: ResourceDescriptor, spec: Spec): Spec {
    if (d.name !== 'Dataplane' || this.#d.ctx.mode !== 'zone') return spec;
    const zone = this.#d.ctx.zoneName;
    const net = spec.networking as { inbound?: { tags?: Record<string, string> }[]; gateway?: { tags?: Record<string, string> } } | undefined;
    if (!net) return spec;
    const inbound = net.inbound?.map((i) => ({ ...i, tags: { ...i.tags, [TAG.zone]: zone } }));
    const gateway = net.gateway ? { ...net.gateway, tags: { ...net.gateway.tags, [TAG.zone]: zone } } : undefined;
    return { ...spec, networking: { ...net, ...(inbound ? { inbound } : {}), ...(gateway ? { gateway } : {}) } };
  }
}

function checkMeshUpdate(before: Spec, after: Spec): Violation[] {
  const b = before.mtls as { enabledBackend?: string; backends?: { name: string; type: string }[] } | undefined;
  const a = after.mtls as typeof b;
  if (!b?.enabledBackend || !a?.enabledBackend) return [];
  const bb = b.backends?.find((x) => x.name === b.enabledBackend);
  const ab = a.backends?.find((x) => x.name === a.enabledBackend);
  if (b.enabledBackend !== a.enabledBackend || bb?.type !== ab?.type) {
    return [{ field: 'mtls.enabledBackend', message: 'Changing CA when mTLS is enabled is forbidden. Disable mTLS first and then change the CA' }];
  }
  return [];
}
