import { describe, expect, it } from 'vitest';
import { valueDiff } from './value-diff.ts';

describe('valueDiff', () => {
  it('lists what a write added, removed and changed, by field path in path order', () => {
    const before = JSON.stringify({
      metadata: { name: 'web', labels: { run: 'web', old: 'x' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] },
    });
    const after = JSON.stringify({
      metadata: { name: 'web', labels: { run: 'web', tier: 'front' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.26' }], nodeName: 'node-1' },
    });
    expect(valueDiff(before, after)).toEqual([
      { op: '-', path: 'metadata.labels.old', before: '"x"' },
      { op: '+', path: 'metadata.labels.tier', after: '"front"' },
      { op: '~', path: 'spec.containers[0].image', before: '"nginx:1.25"', after: '"nginx:1.26"' },
      { op: '+', path: 'spec.nodeName', after: '"node-1"' },
    ]);
  });

  it('treats empty maps and lists as values, and compares non-JSON values whole', () => {
    expect(valueDiff('{"status":{}}', '{"status":{"phase":"Running"}}')).toEqual([
      { op: '-', path: 'status', before: '{}' },
      { op: '+', path: 'status.phase', after: '"Running"' },
    ]);
    expect(valueDiff('plain', 'text')).toEqual([{ op: '~', path: '', before: '"plain"', after: '"text"' }]);
    expect(valueDiff('{"a":1}', '{"a":1}')).toEqual([]);
  });
});
