import { Option } from 'clipanion';
import * as t from 'typanion';
import { BadRequestError, NotFoundError } from '../../../internal/errors';
import { KumactlCommand, meshOption, outputOption } from './kumactl-command';

/**
 * `kuma get <types>` lists, `kuma get <type> NAME` shows one resource, for
 * every registry type with kumactl names (Kuma app/kumactl/cmd/get).
 */
export class GetCommand extends KumactlCommand {
  static override paths = [['get']];
  static override usage = KumactlCommand.Usage({
    category: 'Resources',
    description: 'show resources of one type, or a single resource',
    details: `
      TYPE is a kumactl type name such as \`meshes\`, \`dataplanes\` or \`meshtrafficpermissions\` (see \`kuma completion\` or the "unknown TYPE" error for the full list).
      With a plural TYPE the resources are listed, a page at a time (\`--size\`, \`--offset\`); with a singular TYPE and a NAME one resource is shown.
      \`-o yaml\` and \`-o json\` print what the REST API returns.
    `,
    examples: [
      ['List meshes', '$0 get meshes'],
      ['List the dataplanes of mesh demo as YAML', '$0 get dataplanes -m demo -o yaml'],
      ['Show one mesh traffic permission', '$0 get meshtrafficpermission allow-all -m default'],
      ['Get the second page of 10 dataplanes', '$0 get dataplanes --size 10 --offset 10'],
    ],
  });

  type = Option.String({ name: 'TYPE' });
  name = Option.String({ name: 'NAME', required: false });
  mesh = meshOption();
  output = outputOption();
  size = Option.String('--size', {
    description: 'maximum number of elements to return (the server default is 100)',
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(1)]),
  });
  offset = Option.String('--offset', { description: 'the offset that indicates the starting element of the resources list to retrieve' });

  async run(): Promise<number> {
    const { registry } = await import('../../../internal/resources/types/index');
    const { pluralNames, resolveCliType } = await import('../../../internal/cli/cli-types');
    const d = resolveCliType(registry, this.type, pluralNames(registry));
    const isPlural = this.type === d.cliPlural && d.cliPlural !== d.cliSingular;
    const isSingular = this.type === d.cliSingular && d.cliPlural !== d.cliSingular;
    if (this.name === undefined && isSingular) {
      throw new BadRequestError(`"get ${this.type}" needs a NAME; to list them use "get ${d.cliPlural ?? this.type}"`);
    }
    if (this.name !== undefined && isPlural) {
      throw new BadRequestError(`"get ${this.type}" takes no NAME; to show one use "get ${d.cliSingular ?? this.type} ${this.name}"`);
    }
    await this.warnOnVersionMismatch();
    return this.name === undefined ? this.#list(d) : this.#item(d, this.name);
  }

  async #list(d: import('../../../internal/resources/registry').ResourceDescriptor): Promise<number> {
    const { listPath } = await import('../../../internal/cli/resource-paths');
    const { asRestList, renderOutput } = await import('../../../internal/cli/output');
    const { resourceTable } = await import('../../../internal/cli/resource-tables');
    const { nextOffsetOf, paginationFooter } = await import('../../../internal/cli/printers/table');
    const client = await this.client();
    const body = await client.getJson(listPath(d, this.mesh), { size: this.size, offset: this.offset });
    const list = asRestList(body);
    // An empty list of a mesh that does not exist is a typo, not an empty mesh.
    if (d.scope === 'Mesh' && list.items.length === 0) await this.requireMesh(this.mesh);
    const now = Date.now();
    this.out(await renderOutput(this.output, body, () => resourceTable(d, list.items, now, paginationFooter(nextOffsetOf(list.next)))));
    return 0;
  }

  async #item(d: import('../../../internal/resources/registry').ResourceDescriptor, name: string): Promise<number> {
    const { itemPath } = await import('../../../internal/cli/resource-paths');
    const { renderOutput } = await import('../../../internal/cli/output');
    const { resourceTable } = await import('../../../internal/cli/resource-tables');
    const client = await this.client();
    const body = await client.getOptional(itemPath(d, this.mesh, name));
    if (body === undefined) {
      if (d.scope === 'Mesh') await this.requireMesh(this.mesh);
      throw new NotFoundError(d.scope === 'Mesh' ? `No resources found in ${this.mesh} mesh` : 'No resources found');
    }
    const now = Date.now();
    this.out(await renderOutput(this.output, body, () => resourceTable(d, [body], now)));
    return 0;
  }
}
