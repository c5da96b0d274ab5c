import { connect } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { failsDeterministically, startHttpEcho, type RunningServer } from '../../../internal/demo/http-echo';
import { startTcpEcho } from '../../../internal/demo/tcp-echo';

const open: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function http(opts: Parameters<typeof startHttpEcho>[0], random?: () => number) {
  const s = await startHttpEcho(opts, random);
  open.push(s);
  return s;
}

async function statuses(port: number, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await request(`http://127.0.0.1:${port}/`);
    await r.body.dump();
    out.push(r.statusCode);
  }
  return out;
}

describe('demo-app http', () => {
  it('echoes who answered and what was asked', async () => {
    const s = await http({ port: 0, service: 'web', instance: 'web-1', zone: 'zone-1' });
    const r = await request(`http://127.0.0.1:${s.port}/some/path?x=1`, { method: 'POST', headers: { 'x-test': 'yes' }, body: 'ignored' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['x-demo-instance']).toBe('web-1');
    const body = (await r.body.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ service: 'web', instance: 'web-1', zone: 'zone-1', path: '/some/path?x=1', method: 'POST' });
    expect(body.headers).toMatchObject({ 'x-test': 'yes', host: `127.0.0.1:${s.port}` });
    expect(body.injectedFailure).toBeUndefined();
  });

  it('spreads injected failures evenly by default', async () => {
    const s = await http({ port: 0, service: 'web', instance: 'web-1', failRate: 0.5, failStatus: 503 });
    expect(await statuses(s.port, 6)).toEqual([200, 503, 200, 503, 200, 503]);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter((n) => failsDeterministically(n, 0.3))).toEqual([4, 7, 10]);
    expect([1, 2, 3].map((n) => failsDeterministically(n, 1))).toEqual([true, true, true]);
    expect([1, 2, 3].map((n) => failsDeterministically(n, 0))).toEqual([false, false, false]);
  });

  it('draws failures at random with --fail-random', async () => {
    const draws = [0.9, 0.1, 0.6, 0.2];
    const s = await http({ port: 0, service: 'web', instance: 'web-1', failRate: 0.5, failStatus: 500, failRandom: true }, () => draws.shift()!);
    expect(await statuses(s.port, 4)).toEqual([200, 500, 200, 500]);
  });

  it('answers the status a request asks for with x-demo-status', async () => {
    const s = await http({ port: 0, service: 'web', instance: 'web-1' });
    const r = await request(`http://127.0.0.1:${s.port}/`, { headers: { 'x-demo-status': '429' } });
    expect(r.statusCode).toBe(429);
    expect(((await r.body.json()) as { injectedFailure?: boolean }).injectedFailure).toBe(true);
  });

  it('rejects a fail rate outside 0..1', async () => {
    await expect(startHttpEcho({ port: 0, service: 'a', instance: 'b', failRate: 2 })).rejects.toThrow('invalid fail rate 2: expected a number from 0 to 1');
  });
});

describe('demo-app tcp', () => {
  it('echoes each line prefixed with service/instance, and a last partial line on half-close', async () => {
    const s = await startTcpEcho({ port: 0, service: 'db', instance: 'db-1' });
    open.push(s);
    const sock = connect(s.port, '127.0.0.1');
    let got = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (got += d));
    const closed = new Promise<void>((r) => sock.on('close', () => r()));
    sock.write('hello\nwor');
    sock.write('ld\nbye');
    sock.end();
    await closed;
    expect(got).toBe('db/db-1: hello\ndb/db-1: world\ndb/db-1: bye');
  });
});
