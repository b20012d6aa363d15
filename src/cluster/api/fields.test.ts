import { describe, expect, it } from 'vitest';
import { Event } from './core/event.ts';
import { Pod } from './core/pod.ts';
import {
  convertFieldSelector,
  eventFields,
  FieldSelectorError,
  nodeFields,
  parseFieldSelector,
  podFields,
} from './fields.ts';

describe('parseFieldSelector', () => {
  it('sorts terms and prints == as =', () => {
    const s = parseFieldSelector('status.phase!=Running,spec.nodeName==node-1');
    expect(s.toString()).toBe('spec.nodeName=node-1,status.phase!=Running');
    expect(s.requiresExactMatch('spec.nodeName')).toBe('node-1');
  });

  it('unescapes values and escapes them again when printing', () => {
    const s = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d');
    expect(s.requirements[0]?.value).toBe('a,b=c\\d');
    expect(s.toString()).toBe('metadata.name=a\\,b\\=c\\\\d');
  });

  it.each([
    ['foo', "invalid selector: 'foo'; can't understand 'foo'"],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ])('%j fails with Kubernetes wording', (input, message) => {
    expect(() => parseFieldSelector(input)).toThrow(new FieldSelectorError(message));
  });
});

describe('per-kind fields', () => {
  const pod = Pod.parse({
    metadata: { name: 'web', namespace: 'default' },
    spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'nginx' }] },
    status: { phase: 'Running', podIPs: [{ ip: '10.244.1.5' }] },
  });

  it('matches pods the way kubectl get pods --field-selector does', () => {
    const fields = podFields.fieldSet(pod);
    const match = (s: string) => convertFieldSelector(parseFieldSelector(s), podFields).matches(fields);
    expect(match('spec.nodeName=node-1')).toBe(true);
    expect(match('spec.host=node-1')).toBe(true);
    expect(match('status.phase!=Running')).toBe(false);
    expect(match('status.podIP=10.244.1.5,metadata.namespace=default')).toBe(true);
    expect(match('spec.hostNetwork=false')).toBe(true);
  });

  it('refuses fields a kind does not support', () => {
    expect(() => convertFieldSelector(parseFieldSelector('foo=bar'), podFields)).toThrow(
      'field label not supported: foo',
    );
    expect(() => convertFieldSelector(parseFieldSelector('metadata.namespace=x'), nodeFields)).not.toThrow();
  });

  it('finds the events of an object as kubectl describe asks for them', () => {
    const event = Event.parse({
      metadata: { name: 'web.1', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', uid: 'u1' },
      reason: 'Scheduled',
      source: { component: 'default-scheduler' },
      type: 'Normal',
    });
    const selector = parseFieldSelector(
      'involvedObject.name=web,involvedObject.namespace=default,involvedObject.uid=u1',
    );
    expect(convertFieldSelector(selector, eventFields).matches(eventFields.fieldSet(event))).toBe(true);
    expect(eventFields.fieldSet(event).source).toBe('default-scheduler');
  });
});
