import { Option } from 'clipanion';
import * as t from 'typanion';
import { BaseCommand } from './base-command';

/** `kuma completion bash|zsh|fish`: print a completion script for the whole command tree and every type name. */
export class CompletionCommand extends BaseCommand {
  static override paths = [['completion']];
  static override usage = BaseCommand.Usage({
    description: 'print a shell completion script',
    details: 'The script completes command words, the TYPE of `get` and `delete`, and the options of the command typed so far.',
    examples: [
      ['Enable completion in the current bash', 'source <($0 completion bash)'],
      ['Enable completion in the current zsh', 'source <($0 completion zsh)'],
      ['Install it for fish', '$0 completion fish > ~/.config/fish/completions/kuma.fish'],
    ],
  });

  shell = Option.String({ name: 'SHELL', validator: t.isEnum(['bash', 'zsh', 'fish'] as const) });

  async run(): Promise<number> {
    const { registry } = await import('../../../internal/resources/types/index');
    const { completionScript, modelFromDefinitions } = await import('../../../internal/cli/completion');
    const types = registry.cliNames();
    const model = modelFromDefinitions(this.cli.definitions(), ['kuma', 'kumactl'], { get: types, delete: types });
    this.context.stdout.write(completionScript(this.shell, model));
    return 0;
  }
}
