/** Validation of batch/v1 Job, with Kubernetes' paths and messages (pkg/apis/batch/validation). */
import { validatePodTemplateSpec } from '../core/pod-validation.ts';
import type { FieldError } from '../field-error.ts';
import * as field from '../field-error.ts';
import { SelectorError, selectorFromLabelSelector } from '../labels.ts';
import { nameIsDNSSubdomain } from '../names.ts';
import {
  validateImmutable,
  validateLabelSelector,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '../validation.ts';
import {
  ControllerUidLabel,
  type Job,
  JobNameLabel,
  LegacyControllerUidLabel,
  LegacyJobNameLabel,
} from './job.ts';

const metaRules = { namespaced: true, name: nameIsDNSSubdomain } as const;
const templateLabelsPath = 'spec.template.metadata.labels';

const goLabels = (labels: Record<string, string> | undefined) =>
  new field.GoValue(labels, field.goStringMap(labels));

/**
 * validateGeneratedSelector: unless the user chose manualSelector, the template must carry the
 * job's name and uid labels and the selector must be exactly the uid, or the job could claim
 * another's pods. A user label that overrode a generated one ends up here.
 */
function validateGeneratedSelector(job: Job): FieldError[] {
  if (job.spec.manualSelector) return [];
  const labels = job.spec.template.metadata.labels;
  if (!labels) return [field.required(templateLabelsPath)];
  const { name = '', uid = '' } = job.metadata;
  const errs: FieldError[] = uid ? [] : [field.required('metadata.uid')];
  const expected: [string, string][] = [
    [LegacyControllerUidLabel, uid],
    [LegacyJobNameLabel, name],
    [ControllerUidLabel, uid],
    [JobNameLabel, name],
  ];
  for (const [key, value] of expected) {
    const path = field.key(templateLabelsPath, key);
    if (!(key in labels)) errs.push(field.required(path, value));
    else if (labels[key] !== value) errs.push(field.invalid(path, goLabels(labels), `must be '${value}'`));
  }
  const matchLabels = job.spec.selector?.matchLabels ?? {};
  const keys = Object.keys(matchLabels);
  if (
    keys.length !== 1 ||
    matchLabels[ControllerUidLabel] !== uid ||
    (job.spec.selector?.matchExpressions?.length ?? 0) > 0
  ) {
    errs.push(
      field.invalid(
        'spec.selector',
        field.goLabelSelector(job.spec.selector),
        '`selector` not auto-generated',
      ),
    );
  }
  return errs;
}

/** validateJobSelector: the selector, generated or manual, must select the pods the template makes. */
function validateJobSelector(job: Job): FieldError[] {
  const { selector, template } = job.spec;
  if (!selector) return [field.required('spec.selector')];
  const errs = validateLabelSelector(selector, 'spec.selector');
  try {
    if (!selectorFromLabelSelector(selector).matches(template.metadata.labels)) {
      errs.push(
        field.invalid(
          templateLabelsPath,
          goLabels(template.metadata.labels),
          '`selector` does not match template `labels`',
        ),
      );
    }
  } catch (err) {
    if (!(err instanceof SelectorError)) throw err;
  }
  return errs;
}

function validateJobSpec(job: Job): FieldError[] {
  const spec = job.spec;
  const errs = [
    ...validateNonnegative(spec.parallelism, 'spec.parallelism'),
    ...validateNonnegative(spec.completions, 'spec.completions'),
    ...validateNonnegative(spec.activeDeadlineSeconds, 'spec.activeDeadlineSeconds'),
    ...validateNonnegative(spec.backoffLimit, 'spec.backoffLimit'),
    ...validateNonnegative(spec.ttlSecondsAfterFinished, 'spec.ttlSecondsAfterFinished'),
    ...validateJobSelector(job),
    ...validatePodTemplateSpec(spec.template, 'spec.template'),
  ];
  if (spec.completionMode !== undefined && !['NonIndexed', 'Indexed'].includes(spec.completionMode)) {
    errs.push(field.notSupported('spec.completionMode', spec.completionMode, ['NonIndexed', 'Indexed']));
  }
  if (
    spec.podReplacementPolicy !== undefined &&
    !['TerminatingOrFailed', 'Failed'].includes(spec.podReplacementPolicy)
  ) {
    errs.push(
      field.notSupported('spec.podReplacementPolicy', spec.podReplacementPolicy, [
        'TerminatingOrFailed',
        'Failed',
      ]),
    );
  }
  const restartPolicy = spec.template.spec.restartPolicy;
  if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    errs.push(
      field.notSupported('spec.template.spec.restartPolicy', restartPolicy ?? '', ['OnFailure', 'Never']),
    );
  }
  return errs;
}

export function validateJob(job: Job): FieldError[] {
  return [
    ...validateObjectMeta(job.metadata, metaRules),
    ...validateGeneratedSelector(job),
    ...validateJobSpec(job),
  ];
}

/**
 * A running job keeps its selector (it would orphan its pods), its template (pods already made
 * from it would differ from the next) and, in NonIndexed mode, its completions.
 */
export function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const errs = [...validateObjectMetaUpdate(job.metadata, old.metadata), ...validateJob(job)];
  errs.push(
    ...validateImmutable(
      job.spec.selector,
      old.spec.selector,
      'spec.selector',
      field.goLabelSelector(job.spec.selector),
    ),
  );
  errs.push(...validateImmutable(job.spec.template, old.spec.template, 'spec.template', job.spec.template));
  if (job.spec.completionMode !== 'Indexed') {
    errs.push(
      ...validateImmutable(
        job.spec.completions,
        old.spec.completions,
        'spec.completions',
        job.spec.completions,
      ),
    );
  }
  return errs;
}
