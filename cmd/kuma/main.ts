/**
 * Entry point of the single executable. Called as `kumactl` (a link) it
 * behaves the same as `kuma`: every command lives in one tree.
 */
import { basename } from 'node:path';
import { Builtins, Cli } from 'clipanion';
import { VERSION } from '../../internal/version';
import { commands } from './commands/index';

const binaryName = basename(process.argv0 || 'kuma') === 'kumactl' ? 'kumactl' : 'kuma';

const cli = new Cli({ binaryLabel: 'Kuma', binaryName, binaryVersion: VERSION, enableColors: false });
cli.register(Builtins.HelpCommand);
cli.register(Builtins.VersionCommand);
for (const c of commands) cli.register(c);

void cli.runExit(process.argv.slice(2));
