/**
 * Envoy's stdout/stderr lines into pino (component `envoy`). The supervisor
 * starts Envoy with `--log-format ENVOY_LOG_FORMAT` (Envoy's own default,
 * made explicit so this parser cannot drift from it):
 *
 *   [2026-11-27 14:47:35.092][28257][info][main] [source/server/server.cc:463] initializing epoch 0
 *
 * A line that does not match (a multi-line message's continuation, something
 * printed by a filter) keeps the level of the last parsed line of the same
 * stream, or info.
 */
import type { Logger } from 'pino';

/** Envoy's default log format (source/common/common/logger.h, DEFAULT_LOG_FORMAT). */
export const ENVOY_LOG_FORMAT = '[%Y-%m-%d %T.%e][%t][%l][%n] [%g:%#] %v';

export type PinoLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface EnvoyLogLine {
  level: PinoLevel;
  /** Envoy's logger name ("main", "config", "upstream", ...). */
  logger?: string;
  thread?: number;
  /** Source file and line, "source/server/server.cc:463". */
  source?: string;
  msg: string;
}

const LINE = /^\[[^\]]*\]\[(\d+)\]\[(trace|debug|info|warning|error|critical|off)\]\[([^\]]*)\] (?:\[([^\]]*)\] )?(.*)$/;

/** spdlog level names as Envoy prints them, to pino's. */
export function pinoLevel(envoyLevel: string): PinoLevel {
  switch (envoyLevel) {
    case 'trace':
      return 'trace';
    case 'debug':
      return 'debug';
    case 'warning':
      return 'warn';
    case 'error':
      return 'error';
    case 'critical':
      return 'fatal';
    default:
      return 'info';
  }
}

/** The pino level name as an Envoy `--log-level` value. */
export function envoyLogLevel(level: string): string {
  switch (level) {
    case 'warn':
      return 'warning';
    case 'fatal':
      return 'critical';
    case 'silent':
      return 'off';
    default:
      return level;
  }
}

export function parseEnvoyLogLine(line: string, fallback: PinoLevel = 'info'): EnvoyLogLine {
  const m = LINE.exec(line);
  if (!m) return { level: fallback, msg: line };
  return { level: pinoLevel(m[2]!), thread: Number(m[1]), logger: m[3], ...(m[4] ? { source: m[4] } : {}), msg: m[5]! };
}

/** A per-stream line sink: feed it chunks, it logs whole lines (a partial last line waits for more or for end()). */
export class EnvoyLogSink {
  #log: Logger;
  #stream: 'stdout' | 'stderr';
  #buf = '';
  #last: PinoLevel = 'info';

  constructor(log: Logger, stream: 'stdout' | 'stderr') {
    this.#log = log;
    this.#stream = stream;
  }

  write(chunk: Buffer | string): void {
    this.#buf += chunk.toString();
    let nl: number;
    while ((nl = this.#buf.indexOf('\n')) >= 0) {
      this.#line(this.#buf.slice(0, nl));
      this.#buf = this.#buf.slice(nl + 1);
    }
  }

  end(): void {
    if (this.#buf !== '') this.#line(this.#buf);
    this.#buf = '';
  }

  #line(raw: string): void {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const l = parseEnvoyLogLine(line, this.#last);
    this.#last = l.level;
    const fields: Record<string, unknown> = { stream: this.#stream };
    if (l.logger !== undefined) fields.logger = l.logger;
    if (l.source !== undefined) fields.source = l.source;
    this.#log[l.level](fields, l.msg);
  }
}
