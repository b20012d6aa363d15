/** Validation of apps/v1 Deployment and ReplicaSet, with Kubernetes' paths and messages. */

import type { PodTemplateSpec } from '../core/pod.ts';
import { validatePodTemplateSpec } from '../core/pod-validation.ts';
import type { FieldError } from '../field-error.ts';
import * as field from '../field-error.ts';
import { type IntOrString, intOrPercent } from '../intstr.ts';
import { type Selector, SelectorError, selectorFromLabelSelector } from '../labels.ts';
import type { LabelSelector } from '../meta.ts';
import { isValidPercent, nameIsDNSSubdomain } from '../names.ts';
import {
  validateImmutable,
  validateLabelSelector,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '../validation.ts';
import type { Deployment } from './deployment.ts';
import type { ReplicaSet } from './replica-set.ts';

const metaRules = { namespaced: true, name: nameIsDNSSubdomain } as const;

/**
 * validateSelectorAndTemplate is shared by Deployment and ReplicaSet: a non-empty selector that
 * the template's labels satisfy (otherwise the controller would never see its own pods), and a
 * template whose pods restart Always.
 */
function validateSelectorAndTemplate(
  spec: { selector: LabelSelector; template: PodTemplateSpec; replicas?: number | undefined },
  kind: string,
): FieldError[] {
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  if (
    Object.keys(spec.selector.matchLabels ?? {}).length + (spec.selector.matchExpressions?.length ?? 0) ===
    0
  ) {
    // Kubernetes says "deployment" here for replica sets too.
    errs.push(
      field.invalid(
        'spec.selector',
        field.goLabelSelector(spec.selector),
        'empty selector is invalid for deployment',
      ),
    );
  }
  let selector: Selector;
  try {
    selector = selectorFromLabelSelector(spec.selector);
  } catch (err) {
    if (!(err instanceof SelectorError)) throw err;
    return [
      ...errs,
      field.invalid('spec.selector', field.goLabelSelector(spec.selector), 'invalid label selector'),
    ];
  }
  const template = spec.template;
  if (!selector.empty() && !selector.matches(template.metadata.labels)) {
    errs.push(
      field.invalid(
        'spec.template.metadata.labels',
        new field.GoValue(template.metadata.labels, field.goStringMap(template.metadata.labels)),
        '`selector` does not match template `labels`',
      ),
    );
  }
  errs.push(...validatePodTemplateSpec(template, 'spec.template'));
  if (template.spec.restartPolicy !== 'Always') {
    errs.push(
      field.notSupported('spec.template.spec.restartPolicy', template.spec.restartPolicy ?? '', ['Always']),
    );
  }
  if (template.spec.activeDeadlineSeconds !== undefined) {
    errs.push(
      field.forbidden(
        'spec.template.spec.activeDeadlineSeconds',
        `activeDeadlineSeconds in ${kind} is not Supported`,
      ),
    );
  }
  return errs;
}

/** validatePositiveIntOrPercent: a count of at least 0, or a whole percentage such as "25%". */
function validatePositiveIntOrPercent(v: IntOrString | undefined, path: string): FieldError[] {
  if (v === undefined) return [];
  if (typeof v === 'number') return validateNonnegative(v, path);
  return isValidPercent(v).map((m) => field.invalid(path, field.goIntOrString(v), m));
}

function validateRollingUpdate(d: Deployment): FieldError[] {
  const ru = d.spec.strategy.rollingUpdate;
  if (!ru)
    return [field.required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil')];
  const p = 'spec.strategy.rollingUpdate';
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`),
    ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`),
  ];
  const amountOf = (v: IntOrString | undefined) => (v === undefined ? 0 : (intOrPercent(v)?.value ?? 0));
  if (amountOf(ru.maxUnavailable) === 0 && amountOf(ru.maxSurge) === 0) {
    errs.push(
      field.invalid(
        `${p}.maxUnavailable`,
        field.goIntOrString(ru.maxUnavailable),
        'may not be 0 when `maxSurge` is 0',
      ),
    );
  }
  const unavailable = ru.maxUnavailable === undefined ? undefined : intOrPercent(ru.maxUnavailable);
  if (unavailable?.percent && unavailable.value > 100) {
    errs.push(
      field.invalid(
        `${p}.maxUnavailable`,
        field.goIntOrString(ru.maxUnavailable),
        'must not be greater than 100%',
      ),
    );
  }
  return errs;
}

function goStrategy(d: Deployment): field.GoValue {
  const { type, rollingUpdate } = d.spec.strategy;
  const ru = rollingUpdate
    ? '(*apps.RollingUpdateDeployment)(0xc000000000)'
    : '(*apps.RollingUpdateDeployment)(nil)';
  return new field.GoValue(
    d.spec.strategy,
    `apps.DeploymentStrategy{Type:${field.goQuote(type ?? '')}, RollingUpdate:${ru}}`,
  );
}

function validateStrategy(d: Deployment): FieldError[] {
  switch (d.spec.strategy.type) {
    case 'Recreate':
      return d.spec.strategy.rollingUpdate
        ? [
            field.forbidden(
              'spec.strategy.rollingUpdate',
              "may not be specified when strategy `type` is 'Recreate'",
            ),
          ]
        : [];
    case 'RollingUpdate':
      return validateRollingUpdate(d);
    default:
      return [field.notSupported('spec.strategy', goStrategy(d), ['Recreate', 'RollingUpdate'])];
  }
}

export function validateDeployment(d: Deployment): FieldError[] {
  const spec = d.spec;
  const errs = [
    ...validateObjectMeta(d.metadata, metaRules),
    ...validateNonnegative(spec.replicas, 'spec.replicas'),
    ...validateSelectorAndTemplate(spec, 'ReplicaSet'),
    ...validateStrategy(d),
    ...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
  ];
  const deadline = spec.progressDeadlineSeconds;
  if (deadline !== undefined) {
    errs.push(...validateNonnegative(deadline, 'spec.progressDeadlineSeconds'));
    if (deadline <= (spec.minReadySeconds ?? 0)) {
      errs.push(
        field.invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'),
      );
    }
  }
  return errs;
}

/** The selector of a Deployment or ReplicaSet cannot change: it would orphan the pods it has. */
function validateSelectorUnchanged(selector: LabelSelector, old: LabelSelector): FieldError[] {
  return validateImmutable(selector, old, 'spec.selector', field.goLabelSelector(selector));
}

export function validateDeploymentUpdate(d: Deployment, old: Deployment): FieldError[] {
  return [
    ...validateObjectMetaUpdate(d.metadata, old.metadata),
    ...validateDeployment(d),
    ...validateSelectorUnchanged(d.spec.selector, old.spec.selector),
  ];
}

export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  return [
    ...validateObjectMeta(rs.metadata, metaRules),
    ...validateNonnegative(rs.spec.replicas, 'spec.replicas'),
    ...validateNonnegative(rs.spec.minReadySeconds, 'spec.minReadySeconds'),
    ...validateSelectorAndTemplate(rs.spec, 'ReplicaSet'),
  ];
}

export function validateReplicaSetUpdate(rs: ReplicaSet, old: ReplicaSet): FieldError[] {
  return [
    ...validateObjectMetaUpdate(rs.metadata, old.metadata),
    ...validateReplicaSet(rs),
    ...validateSelectorUnchanged(rs.spec.selector, old.spec.selector),
  ];
}
