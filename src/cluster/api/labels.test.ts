import { describe, expect, it } from 'vitest';
import {
  formatLabelSelector,
  formatLabels,
  labelSelectorString,
  parseSelector,
  Selector,
  SelectorError,
  selectorFromLabelSelector,
} from './labels.ts';

describe('parseSelector', () => {
  it.each([
    ['app=web,tier!=db', 'app=web,tier!=db'],
    ['tier!=db, app=web', 'app=web,tier!=db'],
    ['env in (prod, staging)', 'env in (prod,staging)'],
    ['env notin (staging,prod,prod)', 'env notin (prod,staging)'],
    ['!canary', '!canary'],
    ['canary', 'canary'],
    ['a==b', 'a==b'],
    ['replicas>5', 'replicas>5'],
    ['app.kubernetes.io/name=web', 'app.kubernetes.io/name=web'],
    ['x=', 'x='],
    ['x in (in,notin)', 'x in (in,notin)'],
    ['', ''],
  ])('%j prints back as %j', (input, printed) => {
    expect(parseSelector(input).toString()).toBe(printed);
  });

  it.each([
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['a=b,', "found '', expected: identifier after ','"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    [
      'x>a',
      "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer",
    ],
    [
      '-a',
      "unable to parse requirement: <nil>: Invalid value: \"-a\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ],
    [
      'a=-b',
      "unable to parse requirement: values[0][a]: Invalid value: \"-b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ],
  ])('%j fails with Kubernetes wording', (input, message) => {
    expect(() => parseSelector(input)).toThrow(new SelectorError(message));
  });
});

describe('matching', () => {
  const labels = { app: 'web', tier: 'frontend', replicas: '7' };

  it.each([
    ['app=web', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['tier in (frontend,backend)', true],
    ['tier notin (frontend)', false],
    ['missing notin (x)', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['replicas>5', true],
    ['replicas<5', false],
    ['app>1', false],
    ['app=web,tier=backend', false],
    ['', true],
  ])('%j -> %s', (selector, expected) => {
    expect(parseSelector(selector).matches(labels)).toBe(expected);
  });

  it('selects nothing for a missing LabelSelector and everything for an empty one', () => {
    expect(Selector.nothing().matches({})).toBe(false);
    expect(selectorFromLabelSelector(undefined).matches(labels)).toBe(false);
    expect(selectorFromLabelSelector({}).matches(labels)).toBe(true);
  });
});

describe('LabelSelector objects', () => {
  it('converts and prints as kubectl describe shows them', () => {
    const ls = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'NotIn', values: ['db', 'cache'] },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    };
    // Requirements are sorted by key; the "!" of DoesNotExist is not part of the key.
    expect(formatLabelSelector(ls)).toBe('app=web,!canary,tier notin (cache,db)');
    expect(selectorFromLabelSelector(ls).matches({ app: 'web', tier: 'frontend' })).toBe(true);
  });

  it('prints <none> for no selector and <error> for a bad one', () => {
    expect(formatLabelSelector(undefined)).toBe('<none>');
    expect(formatLabelSelector({})).toBe('<none>');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Within' }] })).toBe('<error>');
    expect(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Within' }] })).toThrow(
      '"Within" is not a valid label selector operator',
    );
  });

  it('formats label maps sorted by key', () => {
    expect(formatLabels({ tier: 'db', app: 'web' })).toBe('app=web,tier=db');
    expect(formatLabels(undefined)).toBe('<none>');
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
