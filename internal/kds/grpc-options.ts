/**
 * gRPC channel options of both KDS ends, as Kuma 2.14's (kuma-wire/kds-wire.md §1):
 * 10 MiB messages both ways; the zone pings every 15 s with a 15 s timeout,
 * also without streams. Kuma's global enforces MinTime 15 s (a zone pinging
 * more often gets GOAWAY too_many_pings and its streams flap), so 15 s is the
 * floor for our zone.
 *
 * Dead links: a zone notices a silently dead global within 30 s (15 s + 15 s).
 * Our global pings each zone every 5 s (4 s timeout), so it marks a silently
 * dead zone Offline within ~9 s; gRPC clients, Kuma's included, answer server
 * pings without any rate limit. grpc-js servers enforce no minimum ping
 * interval, so Kuma zones' 15 s pings are always accepted.
 */
export const ZONE_KEEPALIVE_TIME_MS = 15_000;
export const ZONE_KEEPALIVE_TIMEOUT_MS = 15_000;
export const GLOBAL_KEEPALIVE_TIME_MS = 5_000;
export const GLOBAL_KEEPALIVE_TIMEOUT_MS = 4_000;

export function grpcServerOptions(maxMsgBytes: number): Record<string, number> {
  return {
    'grpc.max_receive_message_length': maxMsgBytes,
    'grpc.max_send_message_length': maxMsgBytes,
    'grpc.keepalive_time_ms': GLOBAL_KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': GLOBAL_KEEPALIVE_TIMEOUT_MS,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_concurrent_streams': 1_000_000,
  };
}

export function grpcClientOptions(maxMsgBytes: number, userAgent: string): Record<string, number | string> {
  return {
    'grpc.max_receive_message_length': maxMsgBytes,
    'grpc.max_send_message_length': maxMsgBytes,
    'grpc.keepalive_time_ms': ZONE_KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': ZONE_KEEPALIVE_TIMEOUT_MS,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.max_pings_without_data': 0,
    'grpc.primary_user_agent': userAgent,
    // As Kuma's zone (grpc.UseCompressor(gzip)): requests and ZoneToGlobal responses are gzipped.
    'grpc.default_compression_algorithm': 2,
  };
}
