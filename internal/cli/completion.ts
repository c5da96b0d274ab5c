/**
 * Shell completion scripts, generated from a model of the command tree (the
 * clipanion definitions plus the registry's type names), so they never go
 * stale. The scripts walk the words typed so far, skipping options and their
 * values, and offer the next command word, a type name, or the options of
 * the command reached.
 */

export interface CompletionModel {
  binaries: string[];
  /** Every command: its words after the binary name and its option names. */
  commands: { path: string[]; options: string[] }[];
  /** Options that take a value (`--mesh default`): the value is not a command word. */
  valueOptions: string[];
  /** Words offered after a command path, e.g. type names after `get`. */
  positional: Record<string, string[]>;
}

export type Shell = 'bash' | 'zsh' | 'fish';

/** Builds the model from clipanion definitions (`path` = "kuma get", option definitions like "-m,--mesh #0"). */
export function modelFromDefinitions(
  defs: { path: string; options: { definition: string }[] }[],
  binaries: string[],
  positional: Record<string, string[]>,
): CompletionModel {
  const commands: CompletionModel['commands'] = [];
  const valueOptions = new Set<string>();
  for (const d of defs) {
    const path = d.path.split(/\s+/).slice(1);
    if (path.length === 0 || path.some((w) => w.startsWith('-'))) continue;
    const options: string[] = [];
    for (const o of d.options) {
      const [names, arg] = o.definition.split(' ');
      for (const n of (names ?? '').split(',')) {
        if (!n.startsWith('-')) continue;
        options.push(n);
        if (arg) valueOptions.add(n);
      }
    }
    commands.push({ path, options });
  }
  return { binaries, commands, valueOptions: [...valueOptions].sort(), positional };
}

/** For each typed path (words joined by spaces), the words that may follow. */
function nextWords(m: CompletionModel): Map<string, string[]> {
  const next = new Map<string, Set<string>>();
  const add = (key: string, w: string) => {
    if (!next.has(key)) next.set(key, new Set());
    next.get(key)!.add(w);
  };
  for (const c of m.commands) {
    for (let i = 0; i < c.path.length; i++) add(c.path.slice(0, i).join(' '), c.path[i]!);
  }
  for (const [key, words] of Object.entries(m.positional)) for (const w of words) add(key, w);
  return new Map([...next].map(([k, v]) => [k, [...v].sort()]));
}

/** Options by command path, longest path first so a shell `case` matches the most specific one. */
function optionsByPath(m: CompletionModel): [string, string[]][] {
  return m.commands
    .map((c): [string, string[]] => [c.path.join(' '), [...new Set(c.options)].sort()])
    .sort((a, b) => b[0].length - a[0].length);
}

function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function bash(m: CompletionModel): string {
  const fn = `_${m.binaries[0]}_complete`;
  const wordCases = [...nextWords(m)].map(([k, ws]) => `    ${sq(k)}) words=${sq(ws.join(' '))} ;;`).join('\n');
  const optCases = optionsByPath(m)
    .map(([k, os]) => `      ${sq(k)}|${sq(`${k} `)}*) words=${sq(os.join(' '))} ;;`)
    .join('\n');
  return `# ${m.binaries.join('/')} completion for bash; load with: source <(${m.binaries[0]} completion bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" words="" i w skip=0
  local value_opts=" ${m.valueOptions.join(' ')} "
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    if [[ "$w" == -* ]]; then
      [[ "$w" != *=* && "$value_opts" == *" $w "* ]] && skip=1
      continue
    fi
    path="\${path:+$path }$w"
  done
  if ((skip)); then return 0; fi
  if [[ "$cur" == -* ]]; then
    case "$path" in
${optCases}
    esac
  else
    case "$path" in
${wordCases}
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F ${fn} ${m.binaries.join(' ')}
`;
}

function zsh(m: CompletionModel): string {
  // zsh runs the bash function through bashcompinit: one generator, two shells.
  return `#compdef ${m.binaries.join(' ')}
# ${m.binaries.join('/')} completion for zsh; load with: source <(${m.binaries[0]} completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(m).split('\n').slice(1).join('\n')}`;
}

function fish(m: CompletionModel): string {
  const fn = `__${m.binaries[0]}_complete`;
  const wordCases = [...nextWords(m)].map(([k, ws]) => `      case ${sq(k)}\n        printf '%s\\n' ${ws.map(sq).join(' ')}`).join('\n');
  const optCases = optionsByPath(m)
    .map(([k, os]) => `      case ${sq(k)} ${sq(`${k} *`)}\n        printf '%s\\n' ${os.map(sq).join(' ')}`)
    .join('\n');
  return `# ${m.binaries.join('/')} completion for fish; load with: ${m.binaries[0]} completion fish | source
function ${fn}
  set -l words (commandline -opc)
  set -e words[1]
  set -l path
  set -l skip 0
  set -l value_opts ${m.valueOptions.map(sq).join(' ')}
  for w in $words
    if test $skip = 1
      set skip 0
      continue
    end
    if string match -q -- '-*' $w
      if not string match -q -- '*=*' $w; and contains -- $w $value_opts
        set skip 1
      end
      continue
    end
    set path $path $w
  end
  test $skip = 1; and return
  set -l p (string join ' ' -- $path)
  if string match -q -- '-*' (commandline -ct)
    switch $p
${optCases}
    end
  else
    switch $p
${wordCases}
    end
  end
end
${m.binaries.map((b) => `complete -c ${b} -f -a '(${fn})'`).join('\n')}
`;
}

export function completionScript(shell: Shell, m: CompletionModel): string {
  switch (shell) {
    case 'bash':
      return bash(m);
    case 'zsh':
      return zsh(m);
    case 'fish':
      return fish(m);
  }
}
