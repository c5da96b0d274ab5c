/**
 * YAML output of REST objects. The `yaml` module is loaded on first use so
 * commands that never print YAML do not pay for it.
 */

/**
 * What Kuma's Go YAML (yaml.v2 through ghodss/sigs.k8s.io yaml) looks like:
 * sequences not indented under their key, and strings that YAML 1.1 would
 * read as something else quoted ("on", "y", timestamps), so the output reads
 * back the same in any parser. No line folding: tokens and certs stay whole.
 */
export const YAML_OUTPUT_OPTIONS = { lineWidth: 0, minContentWidth: 0, version: '1.1', indentSeq: false, aliasDuplicateObjects: false } as const;

export async function renderYaml(value: unknown): Promise<string> {
  const { stringify } = await import('yaml');
  return stringify(value, YAML_OUTPUT_OPTIONS);
}
