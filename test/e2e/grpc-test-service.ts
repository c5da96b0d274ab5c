/**
 * A tiny gRPC service for the mesh e2e suites, on @grpc/grpc-js alone: no .proto, messages are raw
 * bytes (UTF-8 text), so Envoy and the generated config are what the tests exercise, not a codec.
 *
 *   /test.Echo/Unary   "<version>:<request>"
 *   /test.Echo/Which   "<version>" (a second method, for routing by path)
 *   /test.Echo/Stream  server streaming: "<version>:<i>" for i in 0..n-1 (n = the request as a number)
 *   /test.Echo/Flaky   UNAVAILABLE while the shared failure budget lasts, then "<version>:ok"
 *   /test.Echo/Slow    answers after `slowMs`
 *   /grpc.health.v1.Health/Check  the standard health service, answering `health` (hand-encoded protobuf)
 */
import * as grpc from '@grpc/grpc-js';

const raw = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };

function method(path: string, responseStream = false): grpc.MethodDefinition<Buffer, Buffer> {
  return {
    path,
    requestStream: false,
    responseStream,
    requestSerialize: raw.serialize,
    requestDeserialize: raw.deserialize,
    responseSerialize: raw.serialize,
    responseDeserialize: raw.deserialize,
  };
}

export const ECHO_SERVICE = {
  Unary: method('/test.Echo/Unary'),
  Which: method('/test.Echo/Which'),
  Stream: method('/test.Echo/Stream', true),
  Flaky: method('/test.Echo/Flaky'),
  Slow: method('/test.Echo/Slow'),
} satisfies grpc.ServiceDefinition;

/** grpc.health.v1.HealthCheckResponse.ServingStatus. */
export const SERVING = 1;
export const NOT_SERVING = 2;

const HEALTH_SERVICE = { Check: method('/grpc.health.v1.Health/Check') } satisfies grpc.ServiceDefinition;

/** HealthCheckResponse { ServingStatus status = 1; }: field 1, varint. */
function healthResponse(status: number): Buffer {
  return Buffer.from([0x08, status]);
}

/** What the backends of one test share: Flaky's failure budget and the calls each method saw. */
export interface SharedState {
  /** Flaky calls left to fail with UNAVAILABLE, across every backend. */
  flakyFailures: number;
  flakyCalls: number;
}

export interface EchoBackend {
  version: string;
  port: number;
  /** What the health service answers. */
  health: number;
  healthChecks: number;
  slowMs: number;
  server: grpc.Server;
  close(): Promise<void>;
}

export async function startEchoBackend(version: string, shared: SharedState): Promise<EchoBackend> {
  const server = new grpc.Server();
  const backend: EchoBackend = { version, port: 0, health: SERVING, healthChecks: 0, slowMs: 3000, server, close: () => new Promise((r) => server.tryShutdown(() => r())) };
  const reply = (text: string) => Buffer.from(text);
  server.addService(ECHO_SERVICE, {
    Unary: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, reply(`${version}:${call.request.toString()}`)),
    Which: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, reply(version)),
    Stream: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      const n = Number(call.request.toString());
      for (let i = 0; i < n; i++) call.write(reply(`${version}:${i}`));
      call.end();
    },
    Flaky: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      shared.flakyCalls++;
      if (shared.flakyFailures > 0) {
        shared.flakyFailures--;
        cb({ code: grpc.status.UNAVAILABLE, details: 'flaky: failing on purpose' });
      } else cb(null, reply(`${version}:ok`));
    },
    Slow: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      setTimeout(() => cb(null, reply(`${version}:slow`)), backend.slowMs);
    },
  });
  server.addService(HEALTH_SERVICE, {
    Check: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      backend.healthChecks++;
      cb(null, healthResponse(backend.health));
    },
  });
  backend.port = await new Promise<number>((res, rej) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? rej(err) : res(port))),
  );
  return backend;
}

const EchoClient = grpc.makeGenericClientConstructor(ECHO_SERVICE, 'Echo');

export interface CallResult {
  /** grpc.status: OK (0) or the error's code. */
  code: number;
  details: string;
  messages: string[];
}

/** A plaintext (h2c) client of the Echo service at 127.0.0.1:port: the client's outbound. */
export class EchoCaller {
  readonly #client: grpc.Client & Record<string, any>;

  constructor(port: number) {
    this.#client = new EchoClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as grpc.Client & Record<string, any>;
  }

  unary(name: 'Unary' | 'Which' | 'Flaky' | 'Slow', text = '', deadlineMs = 10_000): Promise<CallResult> {
    return new Promise((resolve) => {
      this.#client[name](Buffer.from(text), { deadline: Date.now() + deadlineMs }, (err: grpc.ServiceError | null, res?: Buffer) =>
        resolve(err ? { code: err.code, details: err.details, messages: [] } : { code: grpc.status.OK, details: '', messages: [res!.toString()] }),
      );
    });
  }

  stream(n: number, deadlineMs = 10_000): Promise<CallResult> {
    return new Promise((resolve) => {
      const messages: string[] = [];
      const call = this.#client.Stream(Buffer.from(String(n)), { deadline: Date.now() + deadlineMs }) as grpc.ClientReadableStream<Buffer>;
      call.on('data', (m: Buffer) => messages.push(m.toString()));
      call.on('error', (err: grpc.ServiceError) => resolve({ code: err.code, details: err.details, messages }));
      // OK needs both the status and the end of the messages, which grpc-js may report in either order.
      let ok = false;
      let ended = false;
      const done = () => ok && ended && resolve({ code: grpc.status.OK, details: '', messages });
      call.on('status', (s: grpc.StatusObject) => {
        ok = s.code === grpc.status.OK;
        done();
      });
      call.on('end', () => {
        ended = true;
        done();
      });
    });
  }

  close(): void {
    this.#client.close();
  }
}
