/**
 * Validation every kind shares, after apimachinery's api/validation and apis/meta/v1/validation:
 * object metadata on create and update, labels, annotations, owner references, finalizers,
 * label selectors, and the small checks (non-negative, immutable) kind validators build on.
 */
import { semanticEqual } from './equality.ts';
import type { FieldError } from './field-error.ts';
import * as field from './field-error.ts';
import type { DeleteOptions, LabelSelector, ObjectMeta, OwnerReference } from './meta.ts';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  type NameValidator,
} from './names.ts';

export type { FieldError } from './field-error.ts';

export const isNegativeErrorMsg = 'must be greater than or equal to 0';
export const isNotPositiveErrorMsg = 'must be greater than zero';
export const fieldImmutableErrorMsg = 'field is immutable';
/** Largest total size of an object's annotations (keys plus values): 256 KiB. */
export const totalAnnotationSizeLimitB = 256 * 1024;

export function validateNonnegative(value: number | undefined, path: string): FieldError[] {
  return value !== undefined && value < 0 ? [field.invalid(path, value, isNegativeErrorMsg)] : [];
}

/** validateImmutable reports `field is immutable` when the value changed; `shown` is how Go prints it. */
export function validateImmutable(
  value: unknown,
  old: unknown,
  path: string,
  shown: unknown = value,
): FieldError[] {
  return semanticEqual(value, old) ? [] : [field.invalid(path, shown, fieldImmutableErrorMsg)];
}

export function validateDNS1123Label(value: string, path: string): FieldError[] {
  return isDNS1123Label(value).map((msg) => field.invalid(path, value, msg));
}

export function validateDNS1123Subdomain(value: string, path: string): FieldError[] {
  return isDNS1123Subdomain(value).map((msg) => field.invalid(path, value, msg));
}

export function validateQualifiedName(value: string, path: string): FieldError[] {
  return isQualifiedName(value).map((msg) => field.invalid(path, value, msg));
}

/** validateLabels reports every bad key and value at the map's own path, as Kubernetes does. */
export function validateLabels(
  labels: Readonly<Record<string, string>> | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateQualifiedName(k, path));
    errs.push(...isValidLabelValue(v).map((msg) => field.invalid(path, v, msg)));
  }
  return errs;
}

export function validateAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    // Annotation keys are qualified names, except that case does not matter.
    errs.push(...isQualifiedName(k.toLowerCase()).map((msg) => field.invalid(path, k, msg)));
    size += k.length + v.length;
  }
  if (size > totalAnnotationSizeLimitB) errs.push(field.tooLong(path, totalAnnotationSizeLimitB));
  return errs;
}

export function validateOwnerReferences(
  refs: readonly OwnerReference[] | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const version = ref.apiVersion.split('/').at(-1) ?? '';
    if (!version)
      errs.push(field.invalid(field.child(path, 'apiVersion'), ref.apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(field.invalid(field.child(path, 'kind'), ref.kind, 'must not be empty'));
    if (!ref.name) errs.push(field.invalid(field.child(path, 'name'), ref.name, 'must not be empty'));
    if (!ref.uid) errs.push(field.invalid(field.child(path, 'uid'), ref.uid, 'must not be empty'));
    if (ref.controller) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(
          field.invalid(
            path,
            new field.GoValue(refs, '[]v1.OwnerReference{...}'),
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

/** Finalizer names Kubernetes itself uses, which need no domain prefix. */
const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateFinalizers(finalizers: readonly string[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = finalizers ?? [];
  list.forEach((name, i) => {
    errs.push(...validateQualifiedName(name, path));
    if (!name.includes('/') && !standardFinalizers.has(name)) {
      errs.push(
        field.invalid(
          field.index(path, i),
          name,
          'name is neither a standard finalizer name nor is it fully qualified',
        ),
      );
    }
  });
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(field.invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

export interface ObjectMetaRules {
  /** Whether the kind lives in a namespace (metadata.namespace required) or not (forbidden). */
  readonly namespaced: boolean;
  /** Syntax of names of this kind: DNS subdomain for most, DNS label for namespaces, ... */
  readonly name: NameValidator;
}

/** validateObjectMeta checks the metadata of a new object. */
export function validateObjectMeta(
  meta: ObjectMeta,
  rules: ObjectMetaRules,
  path = 'metadata',
): FieldError[] {
  const errs: FieldError[] = [];
  if (meta.generateName) {
    errs.push(
      ...rules
        .name(meta.generateName, true)
        .map((msg) => field.invalid(field.child(path, 'generateName'), meta.generateName, msg)),
    );
  }
  if (!meta.name && !meta.generateName) {
    errs.push(field.required(field.child(path, 'name'), 'name or generateName is required'));
  } else if (meta.name) {
    errs.push(
      ...rules.name(meta.name, false).map((msg) => field.invalid(field.child(path, 'name'), meta.name, msg)),
    );
  }
  if (rules.namespaced) {
    if (!meta.namespace) errs.push(field.required(field.child(path, 'namespace')));
    else errs.push(...validateDNS1123Label(meta.namespace, field.child(path, 'namespace')));
  } else if (meta.namespace) {
    errs.push(field.forbidden(field.child(path, 'namespace'), 'not allowed on this type'));
  }
  errs.push(...validateNonnegative(meta.generation, field.child(path, 'generation')));
  errs.push(...validateLabels(meta.labels, field.child(path, 'labels')));
  errs.push(...validateAnnotations(meta.annotations, field.child(path, 'annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, field.child(path, 'ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, field.child(path, 'finalizers')));
  return errs;
}

/** validateObjectMetaUpdate checks what an update may not change about metadata. */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  if (old.deletionTimestamp) {
    const added = (meta.finalizers ?? []).filter((f) => !(old.finalizers ?? []).includes(f));
    if (added.length) {
      errs.push(
        field.forbidden(
          field.child(path, 'finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${field.goStringSlice(added)}`,
        ),
      );
    }
  }
  if (!meta.resourceVersion) {
    errs.push(
      field.invalid(
        field.child(path, 'resourceVersion'),
        meta.resourceVersion ?? '',
        'must be specified for an update',
      ),
    );
  }
  if ((meta.generation ?? 0) < (old.generation ?? 0)) {
    errs.push(
      field.invalid(field.child(path, 'generation'), meta.generation ?? 0, 'must not be decremented'),
    );
  }
  for (const name of [
    'name',
    'namespace',
    'uid',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
  ] as const) {
    errs.push(...validateImmutable(meta[name], old[name], field.child(path, name), meta[name] ?? ''));
  }
  errs.push(...validateLabels(meta.labels, field.child(path, 'labels')));
  errs.push(...validateAnnotations(meta.annotations, field.child(path, 'annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, field.child(path, 'ownerReferences')));
  return errs;
}

export interface LabelSelectorRules {
  /** Older kinds tolerated label values in selectors that are not valid label values. */
  readonly allowInvalidLabelValue?: boolean;
}

/** validateLabelSelector checks a LabelSelector object (matchLabels and matchExpressions). */
export function validateLabelSelector(
  selector: LabelSelector | undefined,
  path: string,
  rules: LabelSelectorRules = {},
): FieldError[] {
  if (!selector) return [];
  const errs = validateLabels(selector.matchLabels, field.child(path, 'matchLabels'));
  (selector.matchExpressions ?? []).forEach((expr, i) => {
    const exprPath = field.index(field.child(path, 'matchExpressions'), i);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          errs.push(
            field.required(
              field.child(exprPath, 'values'),
              "must be specified when `operator` is 'In' or 'NotIn'",
            ),
          );
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          errs.push(
            field.forbidden(
              field.child(exprPath, 'values'),
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        }
        break;
      default:
        errs.push(
          field.invalid(field.child(exprPath, 'operator'), expr.operator, 'not a valid selector operator'),
        );
    }
    errs.push(...validateQualifiedName(expr.key, field.child(exprPath, 'key')));
    if (!rules.allowInvalidLabelValue) {
      values.forEach((v, j) => {
        const valuePath = field.index(field.child(exprPath, 'values'), j);
        errs.push(...isValidLabelValue(v).map((msg) => field.invalid(valuePath, v, msg)));
      });
    }
  });
  return errs;
}

/** validateDeleteOptions checks the body of a delete (and of an eviction), as ValidateDeleteOptions does. */
export function validateDeleteOptions(options: DeleteOptions): FieldError[] {
  const errs: FieldError[] = [];
  const policy = options.propagationPolicy;
  if (options.orphanDependents !== undefined && policy !== undefined) {
    errs.push(
      field.invalid(
        'propagationPolicy',
        policy,
        'orphanDependents and deletionPropagation cannot be both set',
      ),
    );
  }
  if (policy !== undefined && !['Foreground', 'Background', 'Orphan'].includes(policy)) {
    errs.push(field.notSupported('propagationPolicy', policy, ['Foreground', 'Background', 'Orphan', 'nil']));
  }
  if (options.dryRun?.some((v) => v !== 'All'))
    errs.push(field.notSupported('dryRun', options.dryRun, ['All']));
  if (options.ignoreStoreReadErrorWithClusterBreakingPotential) {
    const conflicting = [
      ['dryRun', options.dryRun?.length ? options.dryRun : undefined],
      ['propagationPolicy', policy],
      ['orphanDependents', options.orphanDependents],
      ['gracePeriodSeconds', options.gracePeriodSeconds],
      ['preconditions', options.preconditions],
    ] as const;
    for (const [name, value] of conflicting) {
      if (value !== undefined) {
        errs.push(
          field.invalid(
            name,
            '',
            'can not be set together with ignoreStoreReadErrorWithClusterBreakingPotential',
          ),
        );
      }
    }
  }
  return errs;
}
