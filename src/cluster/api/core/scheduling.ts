/** core/v1 scheduling constraints of a pod: affinity, tolerations and topology spread. */
import type { z } from 'zod';
import { LabelSelector } from '../meta.ts';
import { apiPackage, int32, int64, listOf, optional, required, str, strings } from '../schema.ts';

const core = apiPackage('io.k8s.api.core.v1');

export const NodeSelectorRequirement = core.struct(
  'NodeSelectorRequirement',
  'One rule on node labels or fields: key, operator, values.',
  {
    key: required(str, 'Label key (or field name, in matchFields).'),
    operator: required(str, 'In, NotIn, Exists, DoesNotExist, Gt or Lt.'),
    values: optional(strings, 'Values; one integer for Gt and Lt, none for Exists and DoesNotExist.'),
  },
);
export type NodeSelectorRequirement = z.infer<typeof NodeSelectorRequirement>;

export const NodeSelectorTerm = core.struct(
  'NodeSelectorTerm',
  'Rules that must all hold for a node to match.',
  {
    matchExpressions: optional(listOf(NodeSelectorRequirement), 'Rules on node labels.'),
    matchFields: optional(listOf(NodeSelectorRequirement), 'Rules on node fields (only metadata.name).'),
  },
);
export type NodeSelectorTerm = z.infer<typeof NodeSelectorTerm>;

export const NodeSelector = core.struct('NodeSelector', 'Terms of which at least one must match a node.', {
  nodeSelectorTerms: required(listOf(NodeSelectorTerm), 'The terms; they are ORed.'),
});

export const PreferredSchedulingTerm = core.struct(
  'PreferredSchedulingTerm',
  'A node term that adds weight to the nodes it matches.',
  {
    weight: required(int32, 'Weight added to a matching node, 1-100.'),
    preference: required(NodeSelectorTerm, 'The term.'),
  },
);

export const NodeAffinity = core.struct('NodeAffinity', 'Which nodes the pod may or prefers to run on.', {
  requiredDuringSchedulingIgnoredDuringExecution: optional(
    NodeSelector,
    'Hard rule: the pod is only placed on matching nodes.',
  ),
  preferredDuringSchedulingIgnoredDuringExecution: optional(
    listOf(PreferredSchedulingTerm),
    'Soft rules: matching nodes score higher.',
  ),
});

export const PodAffinityTerm = core.struct(
  'PodAffinityTerm',
  'Pods to be near (or away from), measured by a topology key such as the node or zone.',
  {
    labelSelector: optional(LabelSelector, 'Selects the other pods.'),
    namespaces: optional(strings, "Namespaces to look in; the pod's own by default."),
    topologyKey: required(str, 'Node label whose equal values mean "together", e.g. kubernetes.io/hostname.'),
    namespaceSelector: optional(LabelSelector, 'Namespaces to look in, selected by label.'),
    matchLabelKeys: optional(
      strings,
      "Label keys whose values are taken from this pod's labels into the selector.",
    ),
    mismatchLabelKeys: optional(strings, "Label keys whose values must differ from this pod's."),
  },
);

export const WeightedPodAffinityTerm = core.struct(
  'WeightedPodAffinityTerm',
  'A pod affinity term that adds weight to the nodes it matches.',
  {
    weight: required(int32, 'Weight, 1-100.'),
    podAffinityTerm: required(PodAffinityTerm, 'The term.'),
  },
);

export const PodAffinity = core.struct('PodAffinity', 'Rules that place the pod near other pods.', {
  requiredDuringSchedulingIgnoredDuringExecution: optional(listOf(PodAffinityTerm), 'Hard rules.'),
  preferredDuringSchedulingIgnoredDuringExecution: optional(listOf(WeightedPodAffinityTerm), 'Soft rules.'),
});

export const PodAntiAffinity = core.struct(
  'PodAntiAffinity',
  'Rules that keep the pod away from other pods.',
  {
    requiredDuringSchedulingIgnoredDuringExecution: optional(listOf(PodAffinityTerm), 'Hard rules.'),
    preferredDuringSchedulingIgnoredDuringExecution: optional(listOf(WeightedPodAffinityTerm), 'Soft rules.'),
  },
);

export const Affinity = core.struct('Affinity', 'Scheduling constraints relative to nodes and other pods.', {
  nodeAffinity: optional(NodeAffinity, 'Rules on nodes.'),
  podAffinity: optional(PodAffinity, 'Rules to be near other pods.'),
  podAntiAffinity: optional(PodAntiAffinity, 'Rules to stay away from other pods.'),
});
export type Affinity = z.infer<typeof Affinity>;

export const Toleration = core.struct(
  'Toleration',
  'Lets the pod be scheduled onto (or stay on) nodes with a matching taint.',
  {
    key: optional(str, 'Taint key to match; empty with Exists matches every taint.'),
    operator: optional(str, 'Equal (default) or Exists.'),
    value: optional(str, 'Taint value to match, for Equal.'),
    effect: optional(str, 'Taint effect to match: NoSchedule, PreferNoSchedule, NoExecute; empty for all.'),
    tolerationSeconds: optional(int64, 'For NoExecute: how long the pod may stay after the taint appears.'),
  },
);
export type Toleration = z.infer<typeof Toleration>;

export const TopologySpreadConstraint = core.struct(
  'TopologySpreadConstraint',
  'Spreads matching pods evenly across topology domains such as zones or nodes.',
  {
    maxSkew: required(int32, 'Largest allowed difference in matching pods between two domains.'),
    topologyKey: required(str, 'Node label that defines the domains.'),
    whenUnsatisfiable: required(str, 'DoNotSchedule or ScheduleAnyway.'),
    labelSelector: optional(LabelSelector, 'Which pods are counted.'),
    minDomains: optional(int32, 'Fewest eligible domains to assume, for DoNotSchedule.'),
    nodeAffinityPolicy: optional(str, 'Honor or Ignore the pod node affinity when counting domains.'),
    nodeTaintsPolicy: optional(str, 'Honor or Ignore node taints when counting domains.'),
    matchLabelKeys: optional(strings, "Label keys whose values from this pod's labels narrow the selector."),
  },
);
export type TopologySpreadConstraint = z.infer<typeof TopologySpreadConstraint>;
