import { appendFileSync, existsSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AccessLogStreamer } from '../../../internal/dp/access-log-streamer';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A TCP collector on a free port that keeps what it receives. */
async function collector(): Promise<{ address: string; received: () => string }> {
  let data = '';
  const server = net.createServer((s) => s.on('data', (d) => (data += d.toString())));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`, received: () => data };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('AccessLogStreamer', () => {
  it('forwards each message written to the pipe to its address, plain and JSON, across partial writes', async () => {
    const c = await collector();
    const pipe = path.join(os.tmpdir(), `kuma-al-test-${process.pid}.sock`);
    const s = new AccessLogStreamer(pipe);
    await s.start();
    cleanups.push(() => s.stop());
    expect(statSync(pipe).isFIFO()).toBe(true);
    appendFileSync(pipe, `${JSON.stringify({ address: c.address, message: 'first line\n' })}\n{"address":"${c.address}",`);
    appendFileSync(pipe, `"message":{"mesh":"default"}}\nnot json\n`);
    await until(() => c.received().includes('"mesh"'));
    expect(c.received()).toBe('first line\n{"mesh":"default"}\n');
  });

  it('replaces a stale pipe and removes its own on stop', async () => {
    const pipe = path.join(os.tmpdir(), `kuma-al-stale-${process.pid}.sock`);
    appendFileSync(pipe, 'a regular file left behind');
    const s = new AccessLogStreamer(pipe);
    await s.start();
    expect(statSync(pipe).isFIFO()).toBe(true);
    await s.stop();
    expect(existsSync(pipe)).toBe(false);
  });

  it('an unreachable collector costs its lines, not the streamer', async () => {
    const c = await collector();
    const pipe = path.join(os.tmpdir(), `kuma-al-down-${process.pid}.sock`);
    const s = new AccessLogStreamer(pipe);
    await s.start();
    cleanups.push(() => s.stop());
    appendFileSync(pipe, `${JSON.stringify({ address: '127.0.0.1:1', message: 'lost\n' })}\n`);
    appendFileSync(pipe, `${JSON.stringify({ address: c.address, message: 'kept\n' })}\n`);
    await until(() => c.received() !== '');
    expect(c.received()).toBe('kept\n');
  });
});
