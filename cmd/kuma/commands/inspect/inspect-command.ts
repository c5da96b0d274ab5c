/** The common part of the `kuma inspect` list commands: fetch one REST list, print it as a table or as the REST value. */
import type { Query } from '../../../../internal/cli/api-client';
import type { Table } from '../../../../internal/cli/printers/table';
import { KumactlCommand, outputOption } from '../kumactl-command';

export abstract class InspectCommand extends KumactlCommand {
  output = outputOption();

  /** `mesh`: the list is of that mesh, so an empty one of a mesh that does not exist is an error. */
  protected async printList(path: string, query: Query, table: (items: unknown[], now: number) => Table, mesh?: string): Promise<number> {
    await this.warnOnVersionMismatch();
    const { asRestList, renderOutput } = await import('../../../../internal/cli/output');
    const client = await this.client();
    const body = await client.getJson(path, query);
    if (mesh !== undefined && asRestList(body).items.length === 0) await this.requireMesh(mesh);
    const now = Date.now();
    this.out(await renderOutput(this.output, body, () => table(asRestList(body).items, now)));
    return 0;
  }
}
