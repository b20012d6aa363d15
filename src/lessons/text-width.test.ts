import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { padEndToWidth, wrapToWidth } from './text-width.ts';

describe('wrapToWidth', () => {
  it('counts Hangul as two columns', () => {
    // 10 syllables and 4 spaces: 14 letters, 24 columns.
    const lines = wrapToWidth('가나 다라마 바사아 자차', 12);
    expect(lines).toEqual(['가나 다라마', '바사아 자차']);
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(12);
  });

  it("keeps the first line's indent on the lines after it, and every word", () => {
    const text = '  Pod 은 가장 작은 배포 단위이며 클러스터 전체에서 고유한 IP 를 받는다.';
    const lines = wrapToWidth(text, 20);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      expect(line.startsWith('  ') && !line.startsWith('   ')).toBe(true);
      expect(stringWidth(line)).toBeLessThanOrEqual(20);
    }
    expect(lines.map((l) => l.trim()).join(' ')).toBe(text.trim());
  });

  it('breaks a word longer than the line, never inside a letter', () => {
    const lines = wrapToWidth('쿠버네티스컨트롤플레인', 7);
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(7);
    expect(lines.join('')).toBe('쿠버네티스컨트롤플레인');
  });

  it('leaves a line that fits alone', () => {
    expect(wrapToWidth('  $ kubectl get pods', 80)).toEqual(['  $ kubectl get pods']);
    expect(wrapToWidth('', 80)).toEqual(['']);
  });
});

describe('padEndToWidth', () => {
  it('pads to display columns, so a column after Korean text lines up', () => {
    expect(padEndToWidth('8 min', 7)).toBe('8 min  ');
    expect(padEndToWidth('8분', 7)).toBe('8분    ');
    expect(stringWidth(padEndToWidth('12분', 7))).toBe(7);
    expect(padEndToWidth('too wide', 3)).toBe('too wide');
  });
});
