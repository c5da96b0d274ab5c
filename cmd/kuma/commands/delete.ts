import { Option } from 'clipanion';
import { ApiError, BadRequestError, NotFoundError } from '../../../internal/errors';
import { KumactlCommand, meshOption } from './kumactl-command';

/** `kuma delete TYPE NAME`: delete one resource (Kuma app/kumactl/cmd/delete/delete.go). */
export class DeleteCommand extends KumactlCommand {
  static override paths = [['delete']];
  static override usage = KumactlCommand.Usage({
    category: 'Resources',
    description: 'delete a resource',
    details: `
      TYPE is a kumactl type name in singular form, such as \`mesh\`, \`dataplane\` or \`meshtrafficpermission\`. \`-m\` names the mesh of mesh-scoped types.
      Deleting a Mesh deletes every resource in it.
    `,
    examples: [
      ['Delete a mesh', '$0 delete mesh demo'],
      ['Delete a dataplane of mesh demo', '$0 delete dataplane web-01 -m demo'],
    ],
  });

  type = Option.String({ name: 'TYPE' });
  name = Option.String({ name: 'NAME' });
  mesh = meshOption();

  async run(): Promise<number> {
    const { registry } = await import('../../../internal/resources/types/index');
    const { resolveCliType, singularNames } = await import('../../../internal/cli/cli-types');
    const d = resolveCliType(registry, this.type, singularNames(registry));
    if (d.readOnly) throw new BadRequestError(`TYPE: ${this.type} is readOnly, can't use it for write action`);
    await this.warnOnVersionMismatch();
    const { itemPath } = await import('../../../internal/cli/resource-paths');
    const { apiErrorFromResponse } = await import('../../../internal/cli/api-errors');
    const client = await this.client();
    const mesh = d.scope === 'Mesh' ? this.mesh : '';
    const res = await client.send('DELETE', itemPath(d, mesh, this.name));
    if (res.status === 404) throw new NotFoundError(`there is no ${d.name} with name "${this.name}"`);
    if (res.status < 200 || res.status >= 300) {
      const e = apiErrorFromResponse(res.status, res.text);
      throw new ApiError(e.status, `failed to delete ${d.name} with the name "${this.name}": ${e.message}`, e);
    }
    this.out(`deleted ${d.name} "${this.name}"\n`);
    return 0;
  }
}
