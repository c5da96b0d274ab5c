/**
 * Structured logs through pino, one child per component. Logs go to stderr
 * synchronously (no transports: they spawn workers that read files from
 * disk, which a single executable cannot).
 */
import pino, { type Logger } from 'pino';

export type Component = 'cp' | 'store' | 'api-server' | 'diagnostics' | 'defaults' | 'insights' | 'kds' | 'xds' | 'dp' | 'envoy' | 'ca' | 'dns';

let root: Logger | undefined;

export function setupLogging(level: string): Logger {
  root = pino(
    {
      level: level === 'off' ? 'silent' : level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      // Secret values and credentials never reach the log, whatever a caller passes.
      redact: { paths: ['spec.data', '*.spec.data', 'token', '*.token', 'authorization', '*.authorization', 'headers.authorization'], censor: '[redacted]' },
    },
    pino.destination({ dest: 2, sync: true }),
  );
  return root;
}

export function logger(component: Component): Logger {
  if (!root) setupLogging(process.env.KUMA_LOG_LEVEL ?? 'info');
  return root!.child({ component });
}
