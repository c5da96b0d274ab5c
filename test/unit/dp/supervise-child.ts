/**
 * Run by envoy-supervisor-envoy.test.ts as `node --import tsx supervise-child.ts <envoy> <bootstrap>`:
 * supervises a real Envoy and prints its pid, so the test can SIGKILL this
 * process and check that Envoy dies with it (parent-death signal).
 */
import pino from 'pino';
import { EnvoySupervisor } from '../../../internal/dp/envoy-supervisor';

const [binaryPath, bootstrapPath] = process.argv.slice(2);
const log = pino({ level: 'silent' });
const s = new EnvoySupervisor({ binaryPath: binaryPath!, bootstrapPath: bootstrapPath!, drainTimeMs: 0, concurrency: 1 }, { log, envoyLog: log });
s.onTransition((_from, to) => {
  if (to === 'running') process.stdout.write(`envoy-pid ${s.pid}\n`);
});
s.start();
