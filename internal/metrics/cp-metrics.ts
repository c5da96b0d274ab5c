/**
 * The Prometheus metrics of one control plane, with Kuma's names and labels.
 * Each CP instance owns its registry (tests run several CPs in one process),
 * and every series carries `zone` as Kuma's registerer adds it. Components
 * get the pieces they record into; nothing here is global.
 */
import { Counter, Gauge, Histogram, Registry, Summary, collectDefaultMetrics } from 'prom-client';
import { BUILD_DATE, GIT_COMMIT, GIT_TAG, PRODUCT, VERSION } from '../version';
import { DiscoveryStats, SUMMARY_WINDOW } from './discovery-stats';

export interface CpInfo {
  instanceId: string;
  mode: string;
  /** The zone name on a zone CP, '' on the global (the `zone` label of every series). */
  zone: string;
  /** Read at scrape time: the cluster id is created by the defaults after the registry. */
  clusterId(): string;
}

/** Where durations in milliseconds are observed. */
export interface DurationSummary {
  observe(ms: number): void;
}

export class CpMetrics {
  readonly registry = new Registry();
  /** ADS: xds_requests_received, xds_responses_sent, xds_streams_active, xds_delivery. */
  readonly xds: DiscoveryStats;
  /** KDS (global's server side): kds_delta_requests_received, ..._responses_sent, ..._streams_active, ..._delivery. */
  readonly kds: DiscoveryStats;
  /** Milliseconds to generate one proxy's snapshot (Kuma's xds_generation). */
  readonly xdsGeneration: DurationSummary;
  readonly xdsGenerationErrors: { inc(): void };
  /** Milliseconds of one KDS refresh of a peer (Kuma's kds_delta_generation). */
  readonly kdsGeneration: DurationSummary;
  readonly kdsGenerationErrors: { inc(): void };
  /** Store operations in seconds, labelled operation and resource_type (Kuma's `store` histogram). */
  readonly store: Histogram<'operation' | 'resource_type'>;
  readonly storeConflicts: Counter<'resource_type'>;
  readonly #certGeneration: Counter<'mesh'>;
  readonly #certByMesh = new Map<string, { inc(): void }>();
  #leader = 1;

  constructor(info: CpInfo, opts: { resourceCounts?: () => Iterable<[type: string, count: number]> } = {}) {
    const r = this.registry;
    r.setDefaultLabels({ zone: info.zone });
    collectDefaultMetrics({ register: r });
    this.xds = new DiscoveryStats(r, 'xds');
    this.kds = new DiscoveryStats(r, 'kds_delta');
    const summary = (name: string, help: string) => new Summary({ name, help, registers: [r], ...SUMMARY_WINDOW, percentiles: [...SUMMARY_WINDOW.percentiles] });
    this.xdsGeneration = summary('xds_generation', 'Summary of XDS Snapshot generation');
    this.xdsGenerationErrors = new Counter({ name: 'xds_generation_errors', help: 'Counter of errors during XDS generation', registers: [r] });
    this.kdsGeneration = summary('kds_delta_generation', 'Summary of KDS snapshot generation');
    this.kdsGenerationErrors = new Counter({ name: 'kds_delta_generation_errors', help: 'Counter of errors during KDS generation', registers: [r] });
    this.store = new Histogram({ name: 'store', help: 'Summary of Store operations', labelNames: ['operation', 'resource_type'], buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [r] });
    this.storeConflicts = new Counter({ name: 'store_conflicts', help: 'Counter of store conflicts while update', labelNames: ['resource_type'], registers: [r] });
    this.#certGeneration = new Counter({ name: 'cert_generation', help: 'Number of generated certificates', labelNames: ['mesh'], registers: [r] });
    const counts = opts.resourceCounts;
    new Gauge({
      name: 'resources_count',
      help: 'Number of resources by type',
      labelNames: ['resource_type'],
      registers: [r],
      collect() {
        if (!counts) return;
        this.reset();
        for (const [type, n] of counts()) this.labels(type).set(n);
      },
    });
    const constLabels = { instance_id: info.instanceId, product: PRODUCT, version: VERSION, build_date: BUILD_DATE, git_commit: GIT_COMMIT, git_tag: GIT_TAG, mode: info.mode };
    new Gauge({
      name: 'cp_info',
      help: 'Static information about the CP instance',
      labelNames: [...Object.keys(constLabels), 'cluster_id'],
      registers: [r],
      collect() {
        this.reset();
        this.labels({ ...constLabels, cluster_id: info.clusterId() }).set(1);
      },
    });
    const self = this;
    new Gauge({
      name: 'leader',
      help: '1 indicates that this instance is leader',
      registers: [r],
      collect() {
        this.set(self.#leader);
      },
    });
  }

  /** Whether this instance leads (leader election sets it; until then every CP leads). */
  setLeader(leader: boolean): void {
    this.#leader = leader ? 1 : 0;
  }

  /** One identity certificate issued for a proxy of `mesh`. */
  certGenerated(mesh: string): void {
    let c = this.#certByMesh.get(mesh);
    if (!c) this.#certByMesh.set(mesh, (c = this.#certGeneration.labels(mesh)));
    c.inc();
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
