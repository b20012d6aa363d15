import { describe, expect, it } from 'vitest';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  nameIsDNSSubdomain,
} from './names.ts';

describe('DNS names', () => {
  it('words subdomain errors as Kubernetes does', () => {
    expect(isDNS1123Subdomain('example.com')).toEqual([]);
    expect(isDNS1123Subdomain('Foo')).toEqual([
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    expect(isDNS1123Subdomain('a'.repeat(254))[0]).toBe('must be no more than 253 characters');
  });

  it('words label errors with the double space Kubernetes prints between examples', () => {
    expect(isDNS1123Label('my-name')).toEqual([]);
    expect(isDNS1123Label('My_Name')).toEqual([
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    expect(isDNS1123Label('a.b')).toEqual(['must not contain dots']);
  });

  it('requires DNS-1035 labels (service names) to start with a letter', () => {
    expect(isDNS1035Label('1web')).toEqual([
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });

  it('lets a generateName end with a dash', () => {
    expect(nameIsDNSSubdomain('web-', true)).toEqual([]);
    expect(nameIsDNSSubdomain('web-', false)).toHaveLength(1);
  });
});

describe('qualified names and label values', () => {
  it('accepts prefixed keys', () => {
    expect(isQualifiedName('app.kubernetes.io/name')).toEqual([]);
  });

  it('reports each part', () => {
    expect(isQualifiedName('-a')).toEqual([
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]);
    expect(isQualifiedName('/a')).toEqual(['prefix part must be non-empty']);
    expect(isQualifiedName('a/')).toContain('name part must be non-empty');
    expect(isQualifiedName('a/b/c')[0]).toMatch(
      /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/,
    );
  });

  it('allows empty label values but not spaces', () => {
    expect(isValidLabelValue('')).toEqual([]);
    expect(isValidLabelValue('a b')).toEqual([
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]);
  });
});

describe('other syntaxes', () => {
  it('checks port names', () => {
    expect(isValidPortName('http')).toEqual([]);
    expect(isValidPortName('80')).toEqual(['must contain at least one letter (a-z)']);
    expect(isValidPortName('a--b')).toEqual(['must not contain consecutive hyphens']);
  });

  it('checks config keys and env names', () => {
    expect(isConfigMapKey('app.properties')).toEqual([]);
    expect(isConfigMapKey('..data')).toEqual(["must not start with '..'"]);
    expect(isRelaxedEnvVarName('1-weird.NAME')).toEqual([]);
    expect(isRelaxedEnvVarName('A=B')).toHaveLength(1);
  });

  it('checks IP addresses', () => {
    expect(isValidIP('10.0.0.1')).toBe(true);
    expect(isValidIP('2001:db8::ffff')).toBe(true);
    expect(isValidIP('::ffff:10.0.0.1')).toBe(true);
    expect(isValidIP('10.0.0.256')).toBe(false);
    expect(isValidIP('1:2:3:4:5:6:7:8:9')).toBe(false);
  });
});
