/**
 * Every command's `--help` as a file snapshot (test/unit/cli/help/), and the
 * rules they all keep: a description, at least one example, every option
 * described, no clipanion `#0` placeholders.
 */
import { PassThrough } from 'node:stream';
import { Builtins, type BaseContext, type CommandClass } from 'clipanion';
import { describe, expect, it } from 'vitest';
import { KumaCli } from '../../../cmd/kuma/cli';
import { commands } from '../../../cmd/kuma/commands/index';

function makeCli(): KumaCli {
  const cli = new KumaCli({ binaryLabel: 'Kuma', binaryName: 'kuma', binaryVersion: '0.0.0', enableColors: false });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  for (const c of commands) cli.register(c);
  return cli;
}

const fileOf = (c: CommandClass<BaseContext>) => `help/${c.paths![0]!.join('-')}.txt`;

describe('kuma --help of every command', () => {
  const cli = makeCli();

  for (const c of commands) {
    it(`kuma ${c.paths![0]!.join(' ')} --help`, async () => {
      const text = cli.usage(c, { detailed: true });
      expect(text).not.toMatch(/ #\d/);
      await expect(text).toMatchFileSnapshot(fileOf(c));
    });
  }

  it('every command has a description, an example and described options', () => {
    const problems: string[] = [];
    for (const d of cli.definitions()) {
      if (!d.description) problems.push(`${d.path}: no description`);
      if (!d.examples?.length) problems.push(`${d.path}: no example`);
      for (const o of d.options) if (!o.description) problems.push(`${d.path}: option ${o.definition} has no description`);
    }
    expect(problems).toEqual([]);
  });

  it('the overview names option values instead of #0', async () => {
    const text = cli.usage(null);
    expect(text).not.toMatch(/ #\d/);
    expect(text).toContain('kuma generate user-token');
  });
});

describe('command lines clipanion cannot match, answered as kumactl does', () => {
  const cli = makeCli();
  const run = async (argv: string[]) => {
    const stderr = new PassThrough();
    const stdout = new PassThrough();
    let err = '';
    stderr.on('data', (d) => (err += d));
    const code = await cli.runArgv(argv, { stderr, stdout });
    return { code, err };
  };

  it('an unknown command: two lines, the closest command and kuma --help', async () => {
    expect(await run(['gett', 'meshes'])).toEqual({ code: 1, err: 'Error: unknown command "gett" for "kuma"; did you mean "get"?\nRun \'kuma --help\' for usage.\n' });
    // `kuma inspect <policy> NAME` takes any type name: an unknown one is named, with the allowed values.
    const inspectTypo = await run(['inspect', 'dataplanez', 'web']);
    expect(inspectTypo.code).toBe(1);
    expect(inspectTypo.err).toMatch(/^Error: unknown policy type "dataplanez" for inspect\. Allowed values: .*meshtrafficpermission/);
    // Too few words: the positionals the command expected are named.
    expect((await run(['inspect', 'dataplanez'])).err).toBe('Error: invalid arguments for "kuma inspect": expected POLICY NAME (usage: kuma inspect <POLICY> <NAME>)\nRun \'kuma inspect --help\' for usage.\n');
    expect(await run(['frobnicate'])).toEqual({ code: 1, err: 'Error: unknown command "frobnicate" for "kuma"\nRun \'kuma --help\' for usage.\n' });
    expect((await run(['generate'])).err).toBe('Error: "kuma generate" needs a subcommand: one of dataplane-token, signing-key, tls-certificate, user-token, zone-token\nRun \'kuma --help\' for usage.\n');
  });

  it('a missing required flag, an unknown flag, a bad value', async () => {
    expect(await run(['generate', 'user-token', '--name', 'x'])).toEqual({ code: 1, err: 'Error: required flag(s) "valid-for" not set\nRun \'kuma generate user-token --help\' for usage.\n' });
    expect((await run(['generate', 'user-token'])).err).toBe('Error: required flag(s) "name", "valid-for" not set\nRun \'kuma generate user-token --help\' for usage.\n');
    expect((await run(['generate', 'user-token', '--name=x', '--valid-for=1h', '--bogus'])).err).toBe("Error: unknown flag: --bogus\nRun 'kuma generate user-token --help' for usage.\n");
    expect((await run(['inspect', 'dataplane', 'web', '--type', 'nope'])).err).toBe(
      'Error: Invalid value for --type: expected one of "policies", "rules", "config-dump", "stats", "clusters", or "config" (got "nope")\nRun \'kuma inspect dataplane --help\' for usage.\n',
    );
  });
});
