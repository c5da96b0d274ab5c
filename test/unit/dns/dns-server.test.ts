/** kuma-dp's resolver over real UDP sockets on loopback, with a fake upstream for other names. */
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsServer, parseResolvConf } from '../../../internal/dns/dns-server';
import { RCODE, TYPE_A, TYPE_AAAA, buildQuery, buildResponse, parseQuery, parseResponse } from '../../../internal/dns/dns-wire';

/** Sends one packet to 127.0.0.1:port and resolves with the first reply (or undefined after `ms`). */
function ask(port: number, packet: Buffer, ms = 2000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, ms);
    s.on('message', (m) => {
      clearTimeout(t);
      s.close();
      resolve(m);
    });
    s.send(packet, port, '127.0.0.1');
  });
}

let upstream: Socket;
let upstreamPort = 0;
const forwarded: string[] = [];

beforeAll(async () => {
  // A fake system resolver: answers every A query with 192.0.2.7.
  upstream = createSocket('udp4');
  upstream.on('message', (m, r) => {
    const q = parseQuery(m);
    forwarded.push(q.questions[0]!.name);
    upstream.send(buildResponse(q, RCODE.NOERROR, [{ name: q.questions[0]!.name, ttl: 60, ip: '192.0.2.7' }]), r.port, r.address);
  });
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
  upstreamPort = upstream.address().port;
});

afterAll(() => upstream.close());

async function server(opts: ConstructorParameters<typeof DnsServer>[0] = {}): Promise<DnsServer> {
  const s = new DnsServer({ port: 0, upstreams: [{ address: '127.0.0.1', port: upstreamPort }], forwardTimeoutMs: 500, ...opts });
  await s.start();
  return s;
}

const RECORDS = {
  domain: 'mesh',
  ttl: 30,
  records: new Map([
    ['backend.mesh', '240.0.0.1'],
    ['echo-server_echo-example_svc_1010.mesh', '240.0.0.2'],
    ['echo-server.echo-example.svc.1010.mesh', '240.0.0.2'],
  ]),
};

describe('DnsServer', () => {
  it('answers SERVFAIL for mesh names until the first records, then A records, NXDOMAIN and NODATA', async () => {
    const s = await server();
    try {
      expect(parseResponse((await ask(s.port, buildQuery(1, 'backend.mesh')))!).rcode).toBe(RCODE.SERVFAIL);
      s.setRecords(RECORDS);
      const a = parseResponse((await ask(s.port, buildQuery(2, 'Backend.MESH')))!);
      expect(a).toMatchObject({ id: 2, rcode: RCODE.NOERROR, authoritative: true, answers: [{ name: 'backend.mesh', ttl: 30, ip: '240.0.0.1' }] });
      const dotted = parseResponse((await ask(s.port, buildQuery(3, 'echo-server.echo-example.svc.1010.mesh.')))!);
      expect(dotted.answers.map((x) => x.ip)).toEqual(['240.0.0.2']);
      const nx = parseResponse((await ask(s.port, buildQuery(4, 'nope.mesh')))!);
      expect(nx).toMatchObject({ rcode: RCODE.NXDOMAIN, authoritative: true, answers: [] });
      const aaaa = parseResponse((await ask(s.port, buildQuery(5, 'backend.mesh', TYPE_AAAA)))!);
      expect(aaaa).toMatchObject({ rcode: RCODE.NOERROR, answers: [] });
      expect(forwarded).toEqual([]);
    } finally {
      await s.stop();
    }
  });

  it('forwards other names to the upstream and relays its answer', async () => {
    const s = await server();
    try {
      s.setRecords(RECORDS);
      const r = parseResponse((await ask(s.port, buildQuery(0x4242, 'example.com')))!);
      expect(r).toMatchObject({ id: 0x4242, rcode: RCODE.NOERROR, authoritative: false, answers: [{ name: 'example.com', ip: '192.0.2.7', ttl: 60 }] });
      expect(forwarded).toContain('example.com');
    } finally {
      await s.stop();
    }
  });

  it('answers REFUSED for other names without upstreams, SERVFAIL when the upstream is silent', async () => {
    const none = await server({ upstreams: [] });
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
    const dead = await server({ upstreams: [{ address: '127.0.0.1', port: silent.address().port }], forwardTimeoutMs: 200 });
    try {
      expect(parseResponse((await ask(none.port, buildQuery(1, 'example.com')))!).rcode).toBe(RCODE.REFUSED);
      expect(parseResponse((await ask(dead.port, buildQuery(2, 'example.com')))!).rcode).toBe(RCODE.SERVFAIL);
    } finally {
      await none.stop();
      await dead.stop();
      silent.close();
    }
  });

  it('answers FORMERR to garbage, NOTIMP to other opcodes, and nothing to responses', async () => {
    const s = await server();
    try {
      const garbage = Buffer.from([0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x3f]);
      expect(parseResponse((await ask(s.port, garbage))!).rcode).toBe(RCODE.FORMERR);
      const notify = buildQuery(9, 'backend.mesh');
      notify.writeUInt16BE(4 << 11, 2); // opcode NOTIFY
      expect(parseResponse((await ask(s.port, notify))!).rcode).toBe(RCODE.NOTIMP);
      const response = buildResponse({ id: 1, opcode: 0, rd: true, questions: [{ name: 'backend.mesh', type: TYPE_A, class: 1 }] }, 0);
      expect(await ask(s.port, response, 300)).toBeUndefined();
    } finally {
      await s.stop();
    }
  });

  it('reads nameservers from resolv.conf and never forwards to itself', () => {
    expect(parseResolvConf('# comment\nsearch x\nnameserver 10.0.0.2\nnameserver fe80::1%eth0\n')).toEqual([
      { address: '10.0.0.2', port: 53 },
      { address: 'fe80::1', port: 53 },
    ]);
    const s = new DnsServer({ port: 53, address: '127.0.0.1', upstreams: [{ address: '127.0.0.1', port: 53 }, { address: '10.0.0.2', port: 53 }] });
    expect(s.upstreams).toEqual([{ address: '10.0.0.2', port: 53 }]);
  });
});
