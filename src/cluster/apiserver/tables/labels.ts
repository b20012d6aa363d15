/** A metav1.LabelSelector as it appears in a spec. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/**
 * formatLabels writes a label map as labels.FormatLabels does: "app=web,tier=front", keys sorted,
 * or "<none>" for no labels. Services and replication controllers print their selectors this way.
 */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const pairs = Object.entries(labels ?? {})
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([key, value]) => `${key}=${value}`);
  return pairs.length === 0 ? '<none>' : pairs.join(',');
}

/**
 * labelSelectorString writes a LabelSelector as a labels.Selector's String() does, which is also
 * the syntax `kubectl get -l` accepts. Requirements are sorted by key and set values are sorted:
 *
 *   {matchLabels: {app: web}, matchExpressions: [{key: tier, operator: In, values: [b, a]}]}
 *     -> "app=web,tier in (a,b)"
 *   Exists -> "tier", DoesNotExist -> "!tier", NotIn -> "tier notin (a)"
 *
 * A missing selector and an empty one both write "" (they select nothing and everything).
 * Returns undefined for a selector Kubernetes cannot turn into a labels.Selector: an unknown
 * operator, or a value count that does not fit the operator. Key and value syntax is left to
 * validation, which every stored object has already passed.
 */
export function labelSelectorString(selector: LabelSelector | undefined): string | undefined {
  if (!selector) return '';
  const requirements: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push({ key, text: `${key}=${value}` });
  }
  for (const expression of selector.matchExpressions ?? []) {
    const text = requirementString(expression);
    if (text === undefined) return undefined;
    requirements.push({ key: expression.key, text });
  }
  return requirements
    .sort((a, b) => compareStrings(a.key, b.key))
    .map((r) => r.text)
    .join(',');
}

function requirementString({ key, operator, values = [] }: LabelSelectorRequirement): string | undefined {
  switch (operator) {
    case 'In':
    case 'NotIn': {
      if (values.length === 0) return undefined;
      const set = [...values].sort(compareStrings).join(',');
      return `${key} ${operator === 'In' ? 'in' : 'notin'} (${set})`;
    }
    case 'Exists':
      return values.length === 0 ? key : undefined;
    case 'DoesNotExist':
      return values.length === 0 ? `!${key}` : undefined;
    default:
      return undefined;
  }
}

/**
 * formatLabelSelector is metav1.FormatLabelSelector, used for the SELECTOR column of replica
 * sets: the selector string, "<none>" when it is empty and "<error>" when it is malformed.
 */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  const text = labelSelectorString(selector);
  if (text === undefined) return '<error>';
  return text === '' ? '<none>' : text;
}

/** Orders strings by UTF-16 code units, close to Go's byte order for the ASCII of label keys. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
