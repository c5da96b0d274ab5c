// A real grpc-js ADS server on 127.0.0.1:0 and small ADS clients that read like protocol traces.
import * as grpc from '@grpc/grpc-js';
import { AggregatedDiscoveryServiceClient } from '../../../proto/gen/envoy/service/discovery/v3/ads';
import {
  DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  DiscoveryRequest,
  type DiscoveryResponse,
} from '../../../proto/gen/envoy/service/discovery/v3/discovery';
import type { DeepPartial } from '../../../proto/gen/typeRegistry';
import { shortTypeName } from '../../../internal/xds/cache/resource-types';
import { type AdsServerDeps, type AdsServerHandle, addAdsService } from '../../../internal/xds/server/ads-server';
import type { RequestInfo, StreamCallbacks } from '../../../internal/xds/server/callbacks';

export const RESPONSE_TIMEOUT_MS = 1000;
/** How long `mustBlock` waits to be sure nothing comes. */
export const BLOCK_WINDOW_MS = 150;

export interface RunningAds {
  address: string;
  server: grpc.Server;
  ads: AdsServerHandle;
  stop(): void;
}

export async function startAds(deps: AdsServerDeps): Promise<RunningAds> {
  const server = new grpc.Server();
  const ads = addAdsService(server, deps);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, server, ads, stop: () => server.forceShutdown() };
}

/** One client stream; responses are queued and taken in order with `next`. */
export class AdsClientStream<Req, Res extends { typeUrl: string; nonce: string }> {
  readonly #call: grpc.ClientDuplexStream<Req, Res>;
  readonly #fromPartial: (p: DeepPartial<Req>) => Req;
  readonly #queue: Res[] = [];
  #waiter: ((res: Res | undefined) => void) | undefined;
  /** The final status of the call (also for errors: they arrive as a status). */
  readonly status: Promise<grpc.StatusObject>;

  constructor(call: grpc.ClientDuplexStream<Req, Res>, fromPartial: (p: DeepPartial<Req>) => Req) {
    this.#call = call;
    this.#fromPartial = fromPartial;
    call.on('data', (res: Res) => {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      if (waiter) waiter(res);
      else this.#queue.push(res);
    });
    call.on('error', () => {}); // reported through `status`
    this.status = new Promise((resolve) => call.on('status', resolve));
  }

  send(request: DeepPartial<Req>): void {
    this.#call.write(this.#fromPartial(request));
  }

  /** The next response, or undefined when none arrives within `timeoutMs`. */
  next(timeoutMs = RESPONSE_TIMEOUT_MS): Promise<Res | undefined> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        resolve(undefined);
      }, timeoutMs);
      this.#waiter = (res) => {
        clearTimeout(timer);
        resolve(res);
      };
    });
  }

  end(): void {
    this.#call.end();
  }

  cancel(): void {
    this.#call.cancel();
  }
}

export type SotwClient = AdsClientStream<DiscoveryRequest, DiscoveryResponse>;
export type DeltaClient = AdsClientStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;

/** Its own channel, so every simulated proxy has its own connection as Envoys do. */
export type AdsClient = InstanceType<typeof AggregatedDiscoveryServiceClient>;

export function adsClient(address: string): AdsClient {
  return new AggregatedDiscoveryServiceClient(address, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
}

export function openSotw(client: AdsClient, metadata = new grpc.Metadata()): SotwClient {
  return new AdsClientStream(client.streamAggregatedResources(metadata), (p) => DiscoveryRequest.fromPartial(p));
}

export function openDelta(client: AdsClient, metadata = new grpc.Metadata()): DeltaClient {
  return new AdsClientStream(client.deltaAggregatedResources(metadata), (p) => DeltaDiscoveryRequest.fromPartial(p));
}

function describe(res: DiscoveryResponse | DeltaDiscoveryResponse): string {
  const version = 'versionInfo' in res ? res.versionInfo : res.systemVersionInfo;
  const removed = 'removedResources' in res && res.removedResources.length > 0 ? ` removed [${res.removedResources.join(', ')}]` : '';
  return `${shortTypeName(res.typeUrl)} version "${version}" with ${res.resources.length} resources${removed} (nonce ${res.nonce})`;
}

/**
 * go-control-plane's verifyResponse: the next response must come within 1 s and be of the type,
 * version (SotW version_info / Delta system_version_info) and resource count expected.
 */
export async function verifyResponse<Res extends DiscoveryResponse | DeltaDiscoveryResponse>(
  stream: AdsClientStream<any, Res>,
  typeUrl: string,
  version: string,
  count: number,
): Promise<Res> {
  const expected = `${shortTypeName(typeUrl)} version "${version}" with ${count} resources`;
  const res = await stream.next(RESPONSE_TIMEOUT_MS);
  if (!res) throw new Error(`expected a response (${expected}) within ${RESPONSE_TIMEOUT_MS} ms, got none`);
  const got = 'versionInfo' in res ? res.versionInfo : res.systemVersionInfo;
  if (res.typeUrl !== typeUrl || got !== version || res.resources.length !== count) {
    throw new Error(`expected ${expected}, got ${describe(res)}`);
  }
  return res;
}

/** go-control-plane's mustBlock: nothing may arrive for a while. */
export async function mustBlock(stream: { next(timeoutMs?: number): Promise<DiscoveryResponse | DeltaDiscoveryResponse | undefined> }, why: string): Promise<void> {
  const res = await stream.next(BLOCK_WINDOW_MS);
  if (res) throw new Error(`expected no response (${why}), got ${describe(res)}`);
}

/** Records every callback as one line, for exact-sequence assertions. */
export class RecordingCallbacks implements StreamCallbacks {
  readonly events: string[] = [];
  onStreamOpen(ctx: { streamId: number; kind: string }): void {
    this.events.push(`open ${ctx.kind}`);
  }
  onStreamRequest(_id: number, node: { id: string }, typeUrl: string, info: RequestInfo): void {
    const detail = info.errorDetail ? ` "${info.errorDetail}"` : '';
    this.events.push(`${info.kind} ${shortTypeName(typeUrl)} ${info.version || '-'}${detail} from ${node.id}`);
  }
  onStreamResponse(_id: number, typeUrl: string, version: string, names: readonly string[], removed: readonly string[]): void {
    const gone = removed.length > 0 ? ` -[${removed.join(',')}]` : '';
    this.events.push(`response ${shortTypeName(typeUrl)} ${version} [${names.join(',')}]${gone}`);
  }
  onStreamClose(_id: number, node: { id: string } | undefined): void {
    this.events.push(`close ${node?.id ?? '-'}`);
  }
  /** Events recorded since the last call. */
  take(): string[] {
    return this.events.splice(0);
  }
}

/** Resolves when `predicate` holds, polling every 10 ms, or rejects after `timeoutMs` saying what was awaited. */
export async function eventually(what: string, predicate: () => boolean, timeoutMs = RESPONSE_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
