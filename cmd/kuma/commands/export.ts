import { Option } from 'clipanion';
import * as t from 'typanion';
import { EXPORT_FORMATS, EXPORT_PROFILES } from '../../../internal/cli/export-plan';
import { KumactlCommand } from './kumactl-command';

/** `kuma export`: every resource of a profile as YAML that `kuma apply` takes (Kuma app/kumactl/cmd/export). */
export class ExportCommand extends KumactlCommand {
  static override paths = [['export']];
  static override usage = KumactlCommand.Usage({
    category: 'Resources',
    description: 'export the resources of the control plane as YAML, for backup, migration or federation',
    details: `
      Profiles: \`federation\` (the default) is what a global needs to take over a standalone zone: meshes, secrets and legacy policies; \`federation-with-policies\` adds the targetRef policies; \`all\` is everything; \`no-dataplanes\` everything but Dataplanes and their insights. The federation profiles drop the \`kuma.io/origin\` label, always include secrets, and every Mesh gets \`skipCreatingInitialPolicies: ['*']\` since its policies are in the dump.

      To federate a standalone zone: \`kuma export --profile federation-with-policies > zone.yaml\` against the zone, \`kuma apply -f zone.yaml\` against the new global, then restart the zone with \`--mode=zone\` and the global's KDS address.
    `,
    examples: [
      ['Export what a global needs to federate this zone', '$0 export --profile federation-with-policies > policies.yaml'],
      ['Back up everything, secrets included', '$0 export --profile all --include-admin > backup.yaml'],
      ['Export as Kubernetes objects', '$0 export --format kubernetes > policies.yaml'],
    ],
  });

  profile = Option.String('-p,--profile', 'federation', { description: `what to export: one of ${EXPORT_PROFILES.join('|')}`, validator: t.isEnum(EXPORT_PROFILES) });
  format = Option.String('-f,--format', 'universal', { description: `output format: one of ${EXPORT_FORMATS.join('|')}`, validator: t.isEnum(EXPORT_FORMATS) });
  includeAdmin = Option.Boolean('-a,--include-admin', false, { description: 'include admin-only types (Secrets, GlobalSecrets); the federation profiles always include them' });
  systemNamespace = Option.String('-n,--system-namespace', 'kuma-system', { description: 'namespace of the Kubernetes objects of --format kubernetes' });

  async run(): Promise<number> {
    const { exportItems, exportTypes, toKubernetes } = await import('../../../internal/cli/export-plan');
    const { registry } = await import('../../../internal/resources/types/index');
    const { listPath } = await import('../../../internal/cli/resource-paths');
    const { asRestList } = await import('../../../internal/cli/output');
    const { nextOffsetOf } = await import('../../../internal/cli/printers/table');
    const { renderYaml } = await import('../../../internal/cli/printers/yaml');
    await this.warnOnVersionMismatch();
    const client = await this.client();
    const index = await client.getJson<Record<string, unknown>>('/');
    const out: string[] = [`# Product: ${String(index.product ?? '')}, Version: ${String(index.version ?? '')}, Hostname: ${String(index.hostname ?? '')}, ClusterId: ${String(index.clusterId ?? '')}, InstanceId: ${String(index.instanceId ?? '')}\n`];
    const { resources } = await client.getJson<{ resources: { name: string }[] }>('/_resources');
    const { types, unknown } = exportTypes(resources, registry, this.profile, this.includeAdmin);
    if (unknown.length) {
      const msg = `The following types won't be exported because they are unknown to kumactl: ${unknown.join(',')}`;
      out.push(`# ${msg}\n`);
      this.context.stderr.write(`WARNING: ${msg}. Are you using a compatible version of kumactl?\n`);
    }
    const listAll = async (path: string) => {
      const items: Record<string, unknown>[] = [];
      for (let offset: string | undefined = '0'; offset !== undefined; ) {
        const page = asRestList(await client.getJson(path, { size: 1000, offset }));
        items.push(...(page.items as Record<string, unknown>[]));
        offset = nextOffsetOf(page.next);
      }
      return items;
    };
    const meshes = (await listAll('/meshes')).map((m) => String(m.name));
    const byType = new Map(types.map((d) => [d.name, d]));
    const raw: Record<string, unknown>[] = [];
    for (const d of types) {
      if (d.scope === 'Global') raw.push(...(await listAll(listPath(d, ''))));
      else for (const m of meshes) raw.push(...(await listAll(listPath(d, m))));
    }
    for (const item of exportItems(raw as never, this.profile)) {
      const doc = this.format === 'kubernetes' ? toKubernetes(item, byType.get(item.type)!, this.systemNamespace) : item;
      out.push(`---\n${await renderYaml(doc)}`);
    }
    this.out(out.join(''));
    return 0;
  }
}
