import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { completionScript, modelFromDefinitions } from '../../../internal/cli/completion';

const defs = [
  { path: 'kuma get', options: [{ definition: '-m,--mesh #0' }, { definition: '-o,--output #0' }, { definition: '--no-config' }] },
  { path: 'kuma inspect dataplanes', options: [{ definition: '--tag #0' }, { definition: '--gateway' }] },
  { path: 'kuma inspect zones', options: [] },
  { path: 'kuma -h', options: [] },
];
const model = modelFromDefinitions(defs, ['kuma', 'kumactl'], { get: ['mesh', 'meshes'] });
const dir = mkdtempSync(join(tmpdir(), 'kuma-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the bash completion function for a command line and returns what it offers. */
function complete(words: string[]): string[] {
  const file = join(dir, 'c.bash');
  writeFileSync(file, completionScript('bash', model));
  const script = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _kuma_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', script], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('completion', () => {
  it('builds the model from clipanion definitions', () => {
    expect(model.commands.map((c) => c.path.join(' '))).toEqual(['get', 'inspect dataplanes', 'inspect zones']);
    expect(model.valueOptions).toEqual(['--mesh', '--output', '--tag', '-m', '-o']);
  });

  it('bash completes command words, type names and options', () => {
    expect(complete(['kuma', ''])).toEqual(['get', 'inspect']);
    expect(complete(['kuma', 'inspect', 'z'])).toEqual(['zones']);
    expect(complete(['kuma', 'get', '-m', 'demo', 'me'])).toEqual(['mesh', 'meshes']);
    expect(complete(['kuma', 'inspect', 'dataplanes', '--'])).toEqual(['--gateway', '--tag']);
    // A value of an option is not completed as a command word.
    expect(complete(['kuma', 'get', '--mesh', ''])).toEqual([]);
  });

  it('zsh wraps the bash function; fish has its own function', () => {
    expect(completionScript('zsh', model)).toContain('bashcompinit');
    const fish = completionScript('fish', model);
    expect(fish).toContain("complete -c kumactl -f -a '(__kuma_complete)'");
    expect(fish).toContain("case 'inspect'");
  });
});
