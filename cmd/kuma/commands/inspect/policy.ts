import { Option } from 'clipanion';
import { BadRequestError } from '../../../../internal/errors';
import { meshOption } from '../kumactl-command';
import { InspectCommand } from './inspect-command';

/**
 * `kuma inspect <policy> NAME`: the proxies a policy affects, as kumactl 2.14 prints them
 * (app/kumactl/cmd/inspect/inspect_policy.go): for a targetRef policy the dataplanes its top-level
 * targetRef selects (`_resources/dataplanes`, a Type/Mesh/Name table and the total); for a legacy
 * policy "Affected data plane proxies:" with where it attaches on each (`/dataplanes`).
 */
export class InspectPolicyCommand extends InspectCommand {
  static override paths = [['inspect']];
  static override usage = InspectCommand.Usage({
    category: 'Inspect',
    description: 'show the data plane proxies a policy affects',
    details: `
      POLICY is the kumactl name of a policy type, e.g. meshtrafficpermission, meshretry or traffic-permission.
      A targetRef policy lists the dataplanes its top-level targetRef selects; a legacy policy lists each affected proxy with where the policy attaches (inbound, outbound, service).
    `,
    examples: [
      ['Which proxies does mtp-1 select?', '$0 inspect meshtrafficpermission mtp-1'],
      ['Where does the legacy timeout-all-default attach?', '$0 inspect timeout timeout-all-default -m default'],
      ['Did every zone and proxy get the MeshTimeout mt-1?', '$0 inspect meshtimeout mt-1 --propagation'],
    ],
  });

  policyType = Option.String({ name: 'POLICY' });
  name = Option.String({ name: 'NAME' });
  mesh = meshOption();
  propagation = Option.Boolean('--propagation', false, {
    description: 'show where the resource stands (global CP only): its version, per zone synced or why not, per affected proxy ACKed or not; POLICY may be any type the global sends to zones',
  });

  async run(): Promise<number> {
    if (this.propagation) return this.#propagation();
    const { registry } = await import('../../../../internal/resources/types/index');
    const policies = registry.all().filter((d) => d.policy && d.scope === 'Mesh' && d.cliSingular);
    const names = policies.map((d) => d.cliSingular!).sort();
    const d = registry.byCliName(this.policyType);
    if (!d || !d.policy || d.scope !== 'Mesh') throw new BadRequestError(`unknown policy type "${this.policyType}" for inspect. Allowed values: ${names.join(', ')}`);
    const base = `/meshes/${encodeURIComponent(this.mesh)}/${d.path}/${encodeURIComponent(this.name)}`;
    await this.warnOnVersionMismatch();
    const client = await this.client();
    const text = await import('../../../../internal/cli/policy-inspect-text');
    const { renderOutput } = await import('../../../../internal/cli/output');
    if (d.policy.isTargetRef) {
      const body = await client.getJson(`${base}/_resources/dataplanes`, { size: '1000' });
      this.out(await renderOutput(this.output, body, () => text.policyDataplanesTable(body)));
      return 0;
    }
    const body = await client.getJson(`${base}/dataplanes`);
    this.out(this.output === 'table' ? text.affectedProxiesText(body) : await renderOutput(this.output, body, () => ({ headers: [], rows: [] })));
    return 0;
  }

  async #propagation(): Promise<number> {
    const { registry } = await import('../../../../internal/resources/types/index');
    const { typesGlobalToZone } = await import('../../../../internal/kds/filters');
    const types = typesGlobalToZone(registry).filter((d) => d.cliSingular);
    const d = registry.byCliName(this.policyType);
    if (!d || !types.includes(d)) {
      throw new BadRequestError(`unknown type "${this.policyType}" for inspect --propagation (only what the global sends to zones). Allowed values: ${types.map((t) => t.cliSingular!).sort().join(', ')}`);
    }
    const name = encodeURIComponent(this.name);
    const path = d.scope === 'Mesh' ? `/meshes/${encodeURIComponent(this.mesh)}/${d.path}/${name}/_propagation` : `/${d.path}/${name}/_propagation`;
    await this.warnOnVersionMismatch();
    const client = await this.client();
    const body = await client.getJson(path);
    const { renderOutput } = await import('../../../../internal/cli/output');
    const { propagationTable } = await import('../../../../internal/cli/propagation-text');
    this.out(await renderOutput(this.output, body, () => propagationTable(body)));
    return 0;
  }
}
