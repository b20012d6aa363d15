/** core/v1 Binding: the scheduler's decision, posted to pods/<name>/binding to set spec.nodeName. */
import type { z } from 'zod';
import { objectFields } from '../meta.ts';
import { always, apiPackage } from '../schema.ts';
import { ObjectReference } from './references.ts';

const core = apiPackage('io.k8s.api.core.v1');

export const Binding = core.kind(
  { group: '', version: 'v1', kind: 'Binding' },
  'Binds a pod to a node; the scheduler creates one per scheduled pod.',
  {
    ...objectFields('Name and namespace of the pod being bound.'),
    target: always(ObjectReference, 'The node to bind to (kind Node, name).'),
  },
);
export type Binding = z.infer<typeof Binding>;
