/**
 * Entry point of the single executable. Called as `kumactl` (a link) it
 * behaves the same as `kuma`: every command lives in one tree.
 */
import { basename } from 'node:path';
import { Builtins } from 'clipanion';
import { VERSION } from '../../internal/version';
import { KumaCli } from './cli';
import { commands } from './commands/index';

const binaryName = basename(process.argv0 || 'kuma') === 'kumactl' ? 'kumactl' : 'kuma';

// `kuma ... | head -1` or `| grep -q`: a reader that stops early is normal, not a crash.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const cli = new KumaCli({ binaryLabel: 'Kuma', binaryName, binaryVersion: VERSION, enableColors: false });
cli.register(Builtins.HelpCommand);
cli.register(Builtins.VersionCommand);
for (const c of commands) cli.register(c);

void cli.runArgv(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
