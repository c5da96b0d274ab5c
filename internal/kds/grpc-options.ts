/**
 * gRPC channel options shared by both KDS ends: message size limits and
 * keepalives short enough that a silently broken link is noticed well
 * within 15 s (a zone must show Offline by then).
 */
export const KEEPALIVE_TIME_MS = 5_000;
export const KEEPALIVE_TIMEOUT_MS = 4_000;

export function grpcServerOptions(maxMsgBytes: number): Record<string, number> {
  return {
    'grpc.max_receive_message_length': maxMsgBytes,
    'grpc.max_send_message_length': maxMsgBytes,
    'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 1_000,
    'grpc.http2.max_pings_without_data': 0,
  };
}

export function grpcClientOptions(maxMsgBytes: number): Record<string, number | string> {
  return {
    'grpc.max_receive_message_length': maxMsgBytes,
    'grpc.max_send_message_length': maxMsgBytes,
    'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.max_pings_without_data': 0,
    'grpc.primary_user_agent': 'kds',
  };
}
