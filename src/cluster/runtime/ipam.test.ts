import { expect, it } from 'vitest';
import { HostLocalIpam } from './ipam.ts';

it('allocates from .2 upward, reuses released addresses and says when the range is full', () => {
  const ipam = new HostLocalIpam('127.244.9.0/30');
  expect(ipam.allocate()).toBe('127.244.9.2');
  expect(() => ipam.allocate()).toThrow('no IP addresses available in range set');
  ipam.release('127.244.9.2');
  expect(ipam.allocate()).toBe('127.244.9.2');
  const wide = new HostLocalIpam('127.244.9.0/24');
  expect([wide.allocate(), wide.allocate()]).toEqual(['127.244.9.2', '127.244.9.3']);
  expect(() => new HostLocalIpam('10.0.0.0')).toThrow('invalid pod CIDR');
});
