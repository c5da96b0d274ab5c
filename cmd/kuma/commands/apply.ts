import { Option } from 'clipanion';
import { ApiError, BadRequestError } from '../../../internal/errors';
import { KumactlCommand } from './kumactl-command';

/**
 * `kuma apply -f FILE|DIR|-|URL`: create or update resources (Kuma
 * app/kumactl/cmd/apply). Every document is checked before the first one is
 * sent; then each is read back (404 means create) and PUT.
 */
export class ApplyCommand extends KumactlCommand {
  static override paths = [['apply']];
  static override usage = KumactlCommand.Usage({
    category: 'Resources',
    description: 'create or modify resources',
    details: `
      Reads YAML or JSON documents (several per file, separated by \`---\`) from files, directories (their *.yaml, *.yml and *.json files, by name), stdin (\`-f -\`) or an http(s) URL.
      \`--var key=value\` fills mustache variables such as \`{{ key }}\` before parsing; a dotted key fills \`{{ a.b }}\`.
      All documents are validated first; if any is invalid, every problem is printed and nothing is sent.
    `,
    examples: [
      ['Apply a resource from a file', '$0 apply -f mesh.yaml'],
      ['Apply every file of a directory', '$0 apply -f ./policies/'],
      ['Apply from stdin', "printf 'type: Mesh\\nname: demo\\n' | $0 apply -f -"],
      ['Fill a variable and only print the result', '$0 apply -f dp.yaml --var address=10.0.0.1 --dry-run'],
    ],
  });

  files = Option.Array('-f,--file', { description: 'file, directory, URL or `-` for stdin; repeatable', required: true });
  vars = Option.Array('-v,--var', { description: 'variable to replace in the documents, key=value; repeatable' });
  dryRun = Option.Boolean('--dry-run', false, { description: 'render the variables and print the result without applying it' });

  async run(): Promise<number> {
    const { parseKeyValueFlags } = await import('../../../internal/cli/key-values');
    const vars = parseKeyValueFlags('--var', this.vars, { commaSeparated: true });
    const { readSources, readStream, parseSources } = await import('../../../internal/cli/apply-input');
    const { registry } = await import('../../../internal/resources/types/index');
    const sources = [];
    let stdinText: string | undefined;
    const stdin = async () => (stdinText ??= await readStream(this.context.stdin));
    for (const f of this.files) sources.push(...(await readSources(f, stdin)));
    const { docs, problems } = await parseSources(registry, sources, vars);
    if (problems.length > 0) {
      for (const p of problems) this.context.stderr.write(`${p}\n`);
      throw new BadRequestError('failed to validate some resources');
    }
    if (docs.length === 0) throw new BadRequestError('no resource(s) passed to apply');

    if (this.dryRun) {
      const { renderYaml } = await import('../../../internal/cli/printers/yaml');
      const texts = await Promise.all(docs.map((d) => renderYaml(d.body)));
      this.out(texts.join('---\n'));
      return 0;
    }

    await this.warnOnVersionMismatch();
    const { itemPath } = await import('../../../internal/cli/resource-paths');
    const client = await this.client();
    for (const doc of docs) {
      const key = `resource type="${doc.descriptor.name}" mesh="${doc.mesh}" name="${doc.name}"`;
      const path = itemPath(doc.descriptor, doc.mesh, doc.name);
      try {
        const existing = await client.getOptional(path);
        const { body } = await client.putJson<{ warnings?: string[] }>(path, doc.body);
        for (const w of body?.warnings ?? []) this.context.stderr.write(`Warning: ${w}\n`);
        this.out(`${key} ${existing === undefined ? 'Created' : 'Updated'}\n`);
      } catch (e) {
        if (e instanceof ApiError && e.status !== 0) throw new ApiError(e.status, `${key}: failed server side: ${e.message}`, e);
        throw e;
      }
    }
    return 0;
  }
}
