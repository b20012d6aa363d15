import { describe, expect, it } from 'vitest';
import { fieldErrorString } from './field-error.ts';
import type { ObjectMeta } from './meta.ts';
import { nameIsDNSLabel, nameIsDNSSubdomain } from './names.ts';
import {
  type FieldError,
  validateDeleteOptions,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './validation.ts';

const text = (errs: FieldError[]) => errs.map(fieldErrorString);
const namespaced = { namespaced: true, name: nameIsDNSSubdomain };

describe('validateObjectMeta', () => {
  it('requires a name or generateName', () => {
    expect(text(validateObjectMeta({ namespace: 'default' }, namespaced))).toEqual([
      'metadata.name: Required value: name or generateName is required',
    ]);
  });

  it('checks names with the kind rules', () => {
    expect(text(validateObjectMeta({ name: 'Web', namespace: 'default' }, namespaced))).toEqual([
      `metadata.name: Invalid value: "Web": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ]);
    expect(validateObjectMeta({ generateName: 'web-', namespace: 'default' }, namespaced)).toEqual([]);
  });

  it('requires a namespace for namespaced kinds and forbids it for the others', () => {
    expect(text(validateObjectMeta({ name: 'web' }, namespaced))).toEqual([
      'metadata.namespace: Required value',
    ]);
    expect(
      text(validateObjectMeta({ name: 'n', namespace: 'x' }, { namespaced: false, name: nameIsDNSLabel })),
    ).toEqual(['metadata.namespace: Forbidden: not allowed on this type']);
  });

  it('checks labels, annotations, owners and finalizers', () => {
    const meta: ObjectMeta = {
      name: 'web',
      namespace: 'default',
      labels: { 'bad key': 'ok', good: 'bad value' },
      annotations: { 'a/b/c': 'x' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true },
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '2', controller: true },
      ],
      finalizers: ['cleanup'],
    };
    const errs = text(validateObjectMeta(meta, namespaced));
    expect(errs[0]).toMatch(/^metadata\.labels: Invalid value: "bad key": name part must consist of/);
    expect(errs[1]).toMatch(
      /^metadata\.labels: Invalid value: "bad value": a valid label must be an empty string/,
    );
    expect(errs[2]).toMatch(
      /^metadata\.annotations: Invalid value: "a\/b\/c": a qualified name must consist of/,
    );
    expect(errs[3]).toBe(
      'metadata.ownerReferences: Invalid value: []v1.OwnerReference{...}: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b',
    );
    expect(errs[4]).toBe(
      'metadata.finalizers[0]: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
    );
  });

  it('limits the total size of annotations', () => {
    const errs = validateObjectMeta(
      { name: 'a', namespace: 'b', annotations: { big: 'x'.repeat(262144) } },
      namespaced,
    );
    expect(text(errs)).toEqual(['metadata.annotations: Too long: may not be more than 262144 bytes']);
  });
});

describe('validateObjectMetaUpdate', () => {
  const old: ObjectMeta = {
    name: 'web',
    namespace: 'default',
    uid: 'u1',
    resourceVersion: '5',
    generation: 3,
  };

  it('keeps identity fields immutable', () => {
    expect(text(validateObjectMetaUpdate({ ...old, name: 'web2', uid: 'u2' }, old))).toEqual([
      'metadata.name: Invalid value: "web2": field is immutable',
      'metadata.uid: Invalid value: "u2": field is immutable',
    ]);
  });

  it('needs a resourceVersion and never goes back a generation', () => {
    expect(
      text(validateObjectMetaUpdate({ ...old, resourceVersion: undefined, generation: 2 }, old)),
    ).toEqual([
      'metadata.resourceVersion: Invalid value: "": must be specified for an update',
      'metadata.generation: Invalid value: 2: must not be decremented',
    ]);
  });

  it('adds no finalizers to an object being deleted', () => {
    const deleting = { ...old, deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['a.io/x'] };
    expect(
      text(validateObjectMetaUpdate({ ...deleting, finalizers: ['a.io/x', 'b.io/y'] }, deleting)),
    ).toEqual([
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
    ]);
  });
});

describe('validateLabelSelector', () => {
  it('checks operators and values', () => {
    const errs = validateLabelSelector(
      {
        matchExpressions: [
          { key: 'a', operator: 'In' },
          { key: 'b', operator: 'Exists', values: ['x'] },
          { key: 'c', operator: 'Near', values: ['x'] },
        ],
      },
      'spec.selector',
    );
    expect(text(errs)).toEqual([
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Near": not a valid selector operator',
    ]);
  });
});

describe('validateDeleteOptions', () => {
  it('knows the propagation policies', () => {
    expect(text(validateDeleteOptions({ propagationPolicy: 'Later' }))).toEqual([
      'propagationPolicy: Unsupported value: "Later": supported values: "Foreground", "Background", "Orphan", "nil"',
    ]);
    expect(validateDeleteOptions({ propagationPolicy: 'Background' })).toEqual([]);
  });
});
