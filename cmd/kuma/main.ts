/**
 * Entry point of the single executable. Called as `kumactl` (a link) it
 * behaves the same as `kuma`: every command lives in one tree.
 */
import { basename } from 'node:path';
import { Builtins, type CommandClass } from 'clipanion';
import { VERSION } from '../../internal/version';
import { KumaCli } from './cli';
import { commandsFor } from './command-subset';
import { commands } from './commands/index';

const binaryName = basename(process.argv0 || 'kuma') === 'kumactl' ? 'kumactl' : 'kuma';

// `kuma ... | head -1` or `| grep -q`: a reader that stops early is normal, not a crash.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

function cliOf(list: readonly CommandClass[]): KumaCli {
  const cli = new KumaCli({ binaryLabel: 'Kuma', binaryName, binaryVersion: VERSION, enableColors: false });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  for (const c of list) cli.register(c);
  return cli;
}

const argv = process.argv.slice(2);

async function main(): Promise<number> {
  const subset = commandsFor(argv, commands);
  if (subset) {
    const cli = cliOf(subset);
    let command: ReturnType<KumaCli['process']> | undefined;
    try {
      command = cli.process(argv);
    } catch {
      // The whole tree explains what is wrong with the line.
    }
    if (command) return cli.run(command);
  }
  return cliOf(commands).runArgv(argv);
}

void main().then((code) => {
  process.exitCode = code;
});
