import { describe, expect, it } from 'vitest';
import { Pod } from '../../api/core/pod.ts';
import { namespaceConvertor } from '../registry/core/namespace.ts';
import { podConvertor } from '../registry/core/pod/printer.ts';
import { StatusError } from '../status.ts';
import { parseIncludeObject, toTable } from './types.ts';

const now = new Date('2024-05-01T12:00:00Z');

const namespace = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: {
    name: 'default',
    uid: '0d6a5b2c-1e3f-4a5b-8c7d-9e0f1a2b3c4d',
    resourceVersion: '17',
    creationTimestamp: '2024-04-28T12:00:00Z',
    labels: { 'kubernetes.io/metadata.name': 'default' },
  },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Active' },
};

describe('toTable', () => {
  it('builds a meta.k8s.io/v1 Table whose rows carry PartialObjectMetadata by default', () => {
    const table = toTable(namespaceConvertor, [namespace], now, { resourceVersion: '512' });
    expect(table).toEqual({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '512' },
      columnDefinitions: namespaceConvertor.columns,
      rows: [
        {
          cells: ['default', 'Active', '3d'],
          object: {
            kind: 'PartialObjectMetadata',
            apiVersion: 'meta.k8s.io/v1',
            metadata: namespace.metadata,
          },
        },
      ],
    });
  });

  it('carries the whole object with includeObject=Object and none with None', () => {
    expect(
      toTable(namespaceConvertor, [namespace], now, {}, { includeObject: 'Object' }).rows[0]?.object,
    ).toBe(namespace);
    expect(
      toTable(namespaceConvertor, [namespace], now, {}, { includeObject: 'None' }).rows[0]?.object,
    ).toBeNull();
  });

  it('repeats continue and remainingItemCount of a paged list, and leaves out empty ones', () => {
    const paged = toTable(namespaceConvertor, [], now, {
      resourceVersion: '9',
      continue: 'eyJ2IjoibWV0YSJ9',
      remainingItemCount: 0,
    });
    expect(paged.metadata).toEqual({
      resourceVersion: '9',
      continue: 'eyJ2IjoibWV0YSJ9',
      remainingItemCount: 0,
    });
    expect(paged.rows).toEqual([]);
    expect(toTable(namespaceConvertor, [], now, { resourceVersion: '', continue: '' }).metadata).toEqual({});
  });

  it('leaves out column definitions with noHeaders', () => {
    expect(toTable(namespaceConvertor, [namespace], now, {}, { noHeaders: true }).columnDefinitions).toEqual(
      [],
    );
  });

  it('adds row conditions only where the convertor has some', () => {
    const pod = (name: string, phase: string) =>
      Pod.parse({
        metadata: { name, creationTimestamp: '2024-05-01T11:00:00Z' },
        spec: { containers: [{ name: 'main' }] },
        status: { phase },
      });
    const table = toTable(podConvertor, [pod('job-1', 'Succeeded'), pod('web', 'Running')], now);
    expect(table.rows[0]?.conditions).toEqual([
      {
        type: 'Completed',
        status: 'True',
        reason: 'Succeeded',
        message: 'The pod has completed successfully.',
      },
    ]);
    expect(table.rows[1]).not.toHaveProperty('conditions');
  });
});

describe('parseIncludeObject', () => {
  it('defaults to Metadata and accepts the three values', () => {
    expect(parseIncludeObject(null)).toBe('Metadata');
    expect(parseIncludeObject('')).toBe('Metadata');
    expect(parseIncludeObject('Object')).toBe('Object');
    expect(parseIncludeObject('None')).toBe('None');
  });

  it('rejects anything else with a 400', () => {
    expect(() => parseIncludeObject('object')).toThrow(StatusError);
    expect(() => parseIncludeObject('object')).toThrow('unrecognized includeObject value: "object"');
  });
});
