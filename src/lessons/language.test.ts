import { describe, expect, it } from 'vitest';
import { chooseLanguage } from './language.ts';

describe('chooseLanguage', () => {
  it('takes --lang first, then ORCH_LAB_LANG, then the locale', () => {
    const everything = { ORCH_LAB_LANG: 'ko', LC_ALL: 'ko_KR.UTF-8', LANG: 'ko_KR.UTF-8' };
    expect(chooseLanguage('en', everything)).toBe('en');
    expect(chooseLanguage(undefined, everything)).toBe('ko');
    expect(chooseLanguage(undefined, { ORCH_LAB_LANG: 'en', LANG: 'ko_KR.UTF-8' })).toBe('en');
    expect(chooseLanguage('ko', { ORCH_LAB_LANG: 'en', LC_ALL: 'C' })).toBe('ko');
  });

  it('reads the locale as POSIX orders it: LC_ALL, then LC_MESSAGES, then LANG', () => {
    expect(chooseLanguage(undefined, { LANG: 'ko_KR.UTF-8' })).toBe('ko');
    expect(chooseLanguage(undefined, { LANG: 'ko_KR.eucKR' })).toBe('ko');
    expect(chooseLanguage(undefined, { LC_ALL: 'ko_KR.UTF-8', LANG: 'en_US.UTF-8' })).toBe('ko');
    expect(chooseLanguage(undefined, { LC_ALL: 'C', LANG: 'ko_KR.UTF-8' })).toBe('en');
    expect(chooseLanguage(undefined, { LC_MESSAGES: 'ko_KR.UTF-8', LANG: 'en_US.UTF-8' })).toBe('ko');
    expect(chooseLanguage(undefined, { LC_ALL: 'en_GB.UTF-8', LC_MESSAGES: 'ko_KR.UTF-8' })).toBe('en');
    // An empty variable is unset, as POSIX says.
    expect(chooseLanguage(undefined, { LC_ALL: '', ORCH_LAB_LANG: '', LANG: 'ko_KR.UTF-8' })).toBe('ko');
  });

  it('speaks English otherwise', () => {
    expect(chooseLanguage(undefined, {})).toBe('en');
    expect(chooseLanguage(undefined, { LANG: 'C.UTF-8' })).toBe('en');
    expect(chooseLanguage(undefined, { LANG: 'de_DE.UTF-8' })).toBe('en');
    expect(chooseLanguage(undefined, { LANG: 'POSIX' })).toBe('en');
  });

  it('takes a locale name where a language is asked for, and refuses what is neither', () => {
    expect(chooseLanguage('ko_KR.UTF-8', {})).toBe('ko');
    expect(chooseLanguage(undefined, { ORCH_LAB_LANG: 'en_US' })).toBe('en');
    expect(() => chooseLanguage('kr', {})).toThrow(
      '--lang=kr: the lessons speak ko (Korean) or en (English)',
    );
    expect(() => chooseLanguage(undefined, { ORCH_LAB_LANG: 'fr' })).toThrow(
      'ORCH_LAB_LANG=fr: the lessons speak ko (Korean) or en (English)',
    );
  });
});
