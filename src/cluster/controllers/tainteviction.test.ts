import { describe, expect, it } from 'vitest';
import type { Pod } from '../api/core/pod.ts';
import { minTolerationMs } from './tainteviction.ts';

const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
const withTolerations = (tolerations: Pod['spec']['tolerations']) =>
  ({ spec: { tolerations } }) as unknown as Pod;

describe('minTolerationMs', () => {
  it('is 0 for an untolerated taint, the shortest tolerationSeconds otherwise, undefined for forever', () => {
    expect(minTolerationMs(withTolerations([]), [unreachable])).toBe(0);
    expect(
      minTolerationMs(
        withTolerations([
          {
            key: 'node.kubernetes.io/unreachable',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 30,
          },
          { operator: 'Exists', tolerationSeconds: 10 },
        ]),
        [unreachable],
      ),
    ).toBe(10_000);
    expect(minTolerationMs(withTolerations([{ operator: 'Exists' }]), [unreachable])).toBeUndefined();
    expect(
      minTolerationMs(withTolerations([{ key: 'other', operator: 'Exists', tolerationSeconds: 5 }]), [
        unreachable,
      ]),
    ).toBe(0);
  });
});
