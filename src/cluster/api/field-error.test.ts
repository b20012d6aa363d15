import { describe, expect, it } from 'vitest';
import * as field from './field-error.ts';

describe('field errors print as field.Error does', () => {
  it.each([
    [field.required('spec.containers'), 'spec.containers: Required value'],
    [
      field.required('metadata.name', 'name or generateName is required'),
      'metadata.name: Required value: name or generateName is required',
    ],
    [
      field.invalid('spec.replicas', -1, 'must be greater than or equal to 0'),
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    ],
    [field.invalid('metadata.name', 'Web', 'bad'), 'metadata.name: Invalid value: "Web": bad'],
    [
      field.notSupported('spec.restartPolicy', 'Sometimes', ['Always', 'OnFailure', 'Never']),
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ],
    [field.duplicate('spec.containers[1].name', 'web'), 'spec.containers[1].name: Duplicate value: "web"'],
    [
      field.notFound('spec.containers[0].volumeMounts[0].name', 'data'),
      'spec.containers[0].volumeMounts[0].name: Not found: "data"',
    ],
    [field.forbidden('spec', 'nope'), 'spec: Forbidden: nope'],
    [
      field.tooLong('metadata.annotations', 262144),
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    ],
    [field.tooMany('endpoints', 1001, 1000), 'endpoints: Too many: 1001: must have at most 1000 items'],
    [
      field.invalid('x', { app: 'web', a: '1' }, 'd'),
      'x: Invalid value: map[string]string{"a":"1", "app":"web"}: d',
    ],
    [field.invalid('x', ['a', 'b'], 'd'), 'x: Invalid value: []string{"a", "b"}: d'],
    [field.invalid('x', null, 'd'), 'x: Invalid value: null: d'],
    [
      field.invalid('x', field.goIntOrString('25%'), 'd'),
      'x: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}: d',
    ],
    [
      field.invalid(
        'spec.selector',
        field.goLabelSelector({ matchLabels: { app: 'web' } }),
        'field is immutable',
      ),
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ],
  ])('%#', (err, text) => {
    expect(field.fieldErrorString(err)).toBe(text);
  });

  it('keeps the plain bad value for Status causes', () => {
    expect(field.invalid('x', field.goIntOrString(0), 'd').badValue).toBe(0);
  });
});

describe('Invalid status messages', () => {
  const one = [field.required('spec.containers')];
  const two = [...one, field.invalid('spec.replicas', -1, 'must be greater than or equal to 0')];

  it('names the kind with its group', () => {
    expect(field.invalidMessage('Pod', '', 'web', one)).toBe(
      'Pod "web" is invalid: spec.containers: Required value',
    );
    expect(field.invalidMessage('Deployment', 'apps', 'web', two)).toBe(
      'Deployment.apps "web" is invalid: [spec.containers: Required value, spec.replicas: Invalid value: -1: must be greater than or equal to 0]',
    );
  });

  it('gives Status causes', () => {
    expect(field.statusCauses(one)).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' },
    ]);
  });
});
