import { describe, expect, it } from 'vitest';
import { formatLabelSelector, formatLabels, labelSelectorString } from './labels.ts';

describe('formatLabels', () => {
  it('sorts keys and joins key=value pairs', () => {
    expect(formatLabels({ tier: 'front', app: 'web' })).toBe('app=web,tier=front');
  });

  it('prints <none> for no labels', () => {
    expect(formatLabels(undefined)).toBe('<none>');
    expect(formatLabels({})).toBe('<none>');
  });
});

describe('labelSelectorString', () => {
  it('writes requirements sorted by key, with set values sorted', () => {
    expect(
      labelSelectorString({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['front', 'back'] },
          { key: 'env', operator: 'NotIn', values: ['dev'] },
          { key: 'canary', operator: 'DoesNotExist' },
          { key: 'region', operator: 'Exists' },
        ],
      }),
    ).toBe('app=web,!canary,env notin (dev),region,tier in (back,front)');
  });

  it('writes "" for a missing or empty selector', () => {
    expect(labelSelectorString(undefined)).toBe('');
    expect(labelSelectorString({})).toBe('');
  });

  it.each([
    [{ key: 'tier', operator: 'Equals', values: ['a'] }],
    [{ key: 'tier', operator: 'In', values: [] }],
    [{ key: 'tier', operator: 'Exists', values: ['a'] }],
  ])('rejects the malformed requirement %j', (requirement) => {
    expect(labelSelectorString({ matchExpressions: [requirement] })).toBeUndefined();
  });
});

describe('formatLabelSelector', () => {
  it('prints <none> for an empty selector and <error> for a malformed one', () => {
    expect(formatLabelSelector({ matchLabels: { app: 'web' } })).toBe('app=web');
    expect(formatLabelSelector({})).toBe('<none>');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Near' }] })).toBe('<error>');
  });
});
