/** Objects -> the multi-document YAML `kubectl apply -f -` reads. */
import { stringify } from 'yaml';
import { sortObjects, type K8sObject } from './k8s';

export function toYaml(objects: K8sObject[]): string {
  return sortObjects(objects)
    .map((o) => `---\n${stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })}`)
    .join('');
}
