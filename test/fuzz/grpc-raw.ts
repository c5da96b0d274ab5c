/**
 * A gRPC bidi stream that sends bytes as given (so a case can send garbage
 * that no encoder would produce) and records what comes back. A case sends
 * its messages, then waits until the server ends the stream or stays quiet
 * for `quietMs`, then cancels: a stream the server keeps open waiting for
 * the next request is normal, not a hang.
 */
import * as grpc from '@grpc/grpc-js';

export interface StreamOutcome {
  /** Raw response messages, in order. */
  responses: Buffer[];
  /** The status the server ended the stream with, when it did before we cancelled. */
  status?: grpc.StatusObject;
}

const identity = (b: Buffer) => b;

export function rawClient(address: string, creds: grpc.ChannelCredentials, options: grpc.ChannelOptions = {}): grpc.Client {
  return new grpc.Client(address, creds, { 'grpc.max_receive_message_length': 64 * 1024 * 1024, ...options });
}

export function runStream(
  client: grpc.Client,
  method: string,
  messages: Buffer[],
  opts: { metadata?: grpc.Metadata; quietMs?: number; maxMs?: number; stopAfter?: number; onResponse?: (b: Buffer, send: (m: Buffer) => void) => void } = {},
): Promise<StreamOutcome> {
  const quietMs = opts.quietMs ?? 60;
  const maxMs = opts.maxMs ?? 3_000;
  return new Promise((resolve) => {
    const call = client.makeBidiStreamRequest(method, identity, identity, opts.metadata ?? new grpc.Metadata());
    const out: StreamOutcome = { responses: [] };
    let done = false;
    let quiet: NodeJS.Timeout | undefined;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(quiet);
      clearTimeout(overall);
      call.cancel();
      resolve(out);
    };
    const rearm = () => {
      clearTimeout(quiet);
      quiet = setTimeout(finish, quietMs);
    };
    const overall = setTimeout(finish, maxMs);
    call.on('data', (b: Buffer) => {
      out.responses.push(b);
      opts.onResponse?.(b, (m) => !done && call.write(m));
      if (opts.stopAfter !== undefined && out.responses.length >= opts.stopAfter) finish();
      else rearm();
    });
    call.on('error', () => {});
    call.on('status', (s: grpc.StatusObject) => {
      if (!done) out.status = s;
      finish();
    });
    for (const m of messages) call.write(m);
    rearm();
  });
}
