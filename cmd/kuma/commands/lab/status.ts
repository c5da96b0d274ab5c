import { Option } from 'clipanion';
import { BaseCommand } from '../base-command';

export class LabStatusCommand extends BaseCommand {
  static override paths = [['lab', 'status']];
  static override usage = BaseCommand.Usage({
    category: 'Lab',
    description: 'show the processes of the lab started by "kuma lab up" and whether each is up',
    details: `
      Reads <dir>/lab.json and checks every process: alive (its pid) and ready (a control plane's /ready,
      an Envoy admin's /ready, a demo app's answer). Exits 0 when all are up, 1 otherwise (or when there is no lab).
    `,
    examples: [
      ['Status of the lab in ./.kuma-lab', '$0 lab status'],
      ['Of a lab elsewhere, in a script', '$0 lab status --dir /tmp/lab >/dev/null && echo all up'],
    ],
  });

  dir = Option.String('--dir', { description: 'lab directory (default $KUMA_LAB_DIR or ./.kuma-lab)' });

  async run(): Promise<number> {
    const { readState, resolveLabDir } = await import('../../../../internal/lab/state');
    const { componentStatuses, statusTable } = await import('../../../../internal/lab/status');
    const dir = resolveLabDir(this.dir);
    const s = readState(dir);
    if (!s) {
      this.context.stdout.write(`No lab in ${dir} (start one with "kuma lab up${this.dir ? ` --dir ${dir}` : ''}").\n`);
      return 1;
    }
    const rows = await componentStatuses(s);
    this.context.stdout.write(statusTable(rows));
    const up = rows.filter((r) => r.status === 'up').length;
    const starting = s.state === 'starting' ? ' (kuma lab up is still starting it, or was interrupted)' : '';
    this.context.stdout.write(`\n${up} of ${rows.length} up${starting}. Global API: ${s.global.apiUrl}/  Try: ${s.traffic.curl}\n`);
    for (const r of rows.filter((x) => x.status !== 'up')) this.context.stdout.write(`  ${r.component.name}: ${r.detail ?? 'the process is not running'}; log ${r.component.log}\n`);
    return up === rows.length ? 0 : 1;
  }
}
