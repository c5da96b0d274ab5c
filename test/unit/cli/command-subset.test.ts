import { Builtins, type CommandClass } from 'clipanion';
import { describe, expect, it } from 'vitest';
import { KumaCli } from '../../../cmd/kuma/cli';
import { commandsFor } from '../../../cmd/kuma/command-subset';
import { commands } from '../../../cmd/kuma/commands/index';

function cliOf(list: readonly CommandClass[]): KumaCli {
  const cli = new KumaCli({ binaryLabel: 'Kuma', binaryName: 'kuma', binaryVersion: '0.0.0', enableColors: false });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  for (const c of list) cli.register(c);
  return cli;
}

const parse = (cli: KumaCli, argv: string[]) => {
  try {
    return cli.process(argv);
  } catch {
    return undefined;
  }
};

describe('commandsFor', () => {
  it('keeps the commands whose path starts the line, and none for help or an unknown line', () => {
    expect(commandsFor(['control-plane', 'run', '--log-level', 'off'], commands)!.map((c) => c.paths)).toEqual([[['control-plane', 'run'], ['cp', 'run']]]);
    expect(commandsFor(['control-plane', 'run', '--help'], commands)).toBeUndefined();
    expect(commandsFor(['contrl-plane', 'run'], commands)).toBeUndefined();
    expect(commandsFor(['--version'], commands)).toBeUndefined();
  });

  it('parses every line the whole tree parses into the same command with the same options', () => {
    const full = cliOf(commands);
    const lines: string[][] = [
      ['control-plane', 'run', '--log-level', 'off'],
      ['dp', 'run', '--cp-address', 'https://cp:5678', '--name', 'web-1', '--mesh', 'default'],
      ['get', 'meshes', '-o', 'json'],
      ['get', 'mesh', 'default'],
      ['inspect', 'dataplanes', '--mesh', 'demo'],
      ['generate', 'tls-certificate', '--type', 'server', '--hostname', 'x'],
      ['install', 'control-plane', '--mode', 'zone'],
      ['version'],
      ...commands.flatMap((c) => (c.paths ?? []).map((p) => [...p])),
    ];
    let compared = 0;
    for (const argv of lines) {
      const want = parse(full, argv);
      if (!want) continue;
      const subset = commandsFor(argv, commands);
      expect(subset, argv.join(' ')).toBeDefined();
      const got = parse(cliOf(subset!), argv);
      expect(got?.constructor, argv.join(' ')).toBe(want.constructor);
      const own = (c: object) => Object.fromEntries(Object.entries(c).filter(([k]) => k !== 'context' && k !== 'cli'));
      expect(own(got!), argv.join(' ')).toEqual(own(want));
      compared++;
    }
    expect(compared).toBeGreaterThan(20);
  });
});
