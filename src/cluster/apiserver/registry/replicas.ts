/**
 * What replication controllers and replica sets share in the registry, as kube's printers and
 * strategies for the two do: the same columns (only the selector differs: a label map for one, a
 * LabelSelector for the other), the same status and generation rules, the same scale.
 */
import type { Container } from '../../api/core/container.ts';
import type { PodTemplateSpec } from '../../api/core/pod.ts';
import { podTemplateWarnings } from '../../api/core/pod-warnings.ts';
import type { KubeObject } from '../../api/meta.ts';
import {
  ageCell,
  ageColumn,
  column,
  containersColumn,
  imagesColumn,
  layoutContainerCells,
  nameCell,
  nameColumn,
  wideColumn,
} from '../tables/columns.ts';
import type { TableConvertor } from '../tables/types.ts';
import type { Scalable } from './scale.ts';
import { type Strategy, specChanged, withStatusSubresource } from './strategy.ts';

/** A kind that keeps a number of pods of a template running. */
type Replicated = KubeObject & {
  spec: { replicas?: number; template?: PodTemplateSpec };
  status: { replicas: number; readyReplicas?: number };
};

/**
 * replicasConvertor prints DESIRED, CURRENT and READY, and with -o wide the template's containers
 * and images and the pods' selector. A real cluster never shows DESIRED as 0 for lack of
 * spec.replicas: defaulting sets it to 1 before an object is stored.
 */
export function replicasConvertor<T extends Replicated>(selector: {
  readonly description: string;
  cell(obj: T): string;
}): TableConvertor<T> {
  return {
    columns: [
      nameColumn,
      column('Desired', 'integer', 'How many pods the spec asks for.'),
      column('Current', 'integer', 'How many pods exist now.'),
      column('Ready', 'integer', 'How many of those pods are ready.'),
      ageColumn,
      containersColumn,
      imagesColumn,
      wideColumn('Selector', 'string', selector.description),
    ],
    cells(obj, now) {
      const containers: Container[] = obj.spec?.template?.spec.containers ?? [];
      return [
        nameCell(obj),
        obj.spec?.replicas ?? 0,
        obj.status?.replicas ?? 0,
        obj.status?.readyReplicas ?? 0,
        ageCell(obj, now),
        ...layoutContainerCells(containers),
        selector.cell(obj),
      ];
    },
  };
}

/** Status only through <resource>/status, starting at 0 replicas; spec changes move the generation. */
export function replicasStrategy<T extends Replicated>(): Strategy<T> {
  return withStatusSubresource<T>({
    initialStatus: () => ({ replicas: 0 }),
    generation: specChanged,
    warnings: podTemplateWarnings,
  });
}

/** <resource>/scale reads and writes spec.replicas; `selector` writes the pods' selector as a string. */
export function replicasScale<T extends Replicated>(selector: (obj: T) => string): Scalable<T> {
  return {
    replicas: (obj) => ({
      spec: obj.spec.replicas ?? 0,
      status: obj.status.replicas,
      selector: selector(obj),
    }),
    setReplicas: (obj, replicas) => {
      obj.spec.replicas = replicas;
    },
  };
}
