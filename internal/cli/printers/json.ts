/** JSON output: two-space indent and a trailing newline (app/kumactl/pkg/output/json/printer.go). */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
