import { describe, expect, it } from 'vitest';
import { EnvoyLogSink, envoyLogLevel, parseEnvoyLogLine, pinoLevel } from '../../../internal/dp/envoy-log';
import { memoryLogger } from './fixtures';

describe('Envoy log lines', () => {
  it("parses Envoy's default format", () => {
    expect(parseEnvoyLogLine('[2026-11-27 14:47:35.092][28257][info][main] [source/server/server.cc:463] initializing epoch 0 (base id=0)')).toEqual({
      level: 'info',
      thread: 28257,
      logger: 'main',
      source: 'source/server/server.cc:463',
      msg: 'initializing epoch 0 (base id=0)',
    });
    expect(parseEnvoyLogLine('[2026-11-27 14:47:35.092][1][warning][config] [x.cc:1] gRPC config stream closed').level).toBe('warn');
  });

  it('maps levels both ways', () => {
    expect(['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'].map(pinoLevel)).toEqual(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'info']);
    expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent', 'off'].map(envoyLogLevel)).toEqual(['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off', 'off']);
  });

  it('keeps the previous level for a line in another format', () => {
    expect(parseEnvoyLogLine('  at frame 3', 'error')).toEqual({ level: 'error', msg: '  at frame 3' });
  });

  it('splits chunks into lines, waiting for the end of a partial one', () => {
    const { log, records } = memoryLogger('envoy');
    const sink = new EnvoyLogSink(log, 'stderr');
    sink.write('[t][1][error][upstream] [a.cc:1] first\n  detail\n[t][1][de');
    expect(records.map((r) => [r.level, r.msg])).toEqual([
      [50, 'first'],
      [50, '  detail'],
    ]);
    sink.write('bug][upstream] [a.cc:2] second\r\n\npartial');
    sink.end();
    expect(records.slice(2).map((r) => [r.level, r.msg, r.logger])).toEqual([
      [20, 'second', 'upstream'],
      [20, 'partial', undefined],
    ]);
  });
});
