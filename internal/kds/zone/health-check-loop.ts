/**
 * The zone's GlobalKDSService.HealthCheck pings, as Kuma's zone (it
 * advertises `zone-ping-health`): the first at once, then every 5 minutes
 * until the global answers an interval, from then on at that interval. A
 * global that answers UNIMPLEMENTED gets no more pings. Failures are only
 * logged: the KDS streams decide whether the link is up.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { GlobalKDSServiceClient } from '../../../proto/gen/kuma/mesh/v1alpha1/kds';

const DEFAULT_INTERVAL_MS = 5 * 60_000;
const CALL_TIMEOUT_MS = 15_000;

export function startHealthCheckLoop(client: GlobalKDSServiceClient, md: grpc.Metadata, log: Logger): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let intervalMs = DEFAULT_INTERVAL_MS;
  const ping = () => {
    client.healthCheck({}, md, { deadline: Date.now() + CALL_TIMEOUT_MS }, (err, resp) => {
      if (stopped) return;
      if (err?.code === grpc.status.UNIMPLEMENTED) {
        log.debug('the global does not implement zone health checks; not pinging');
        return;
      }
      if (err) log.debug({ err: err.message }, 'zone health check failed');
      const s = Number(resp?.interval?.seconds ?? 0) * 1000 + Math.floor((resp?.interval?.nanos ?? 0) / 1e6);
      if (s > 0) intervalMs = s;
      timer = setTimeout(ping, intervalMs);
    });
  };
  ping();
  return {
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
