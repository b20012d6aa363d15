import { z } from 'zod';

/** The languages lessons are written in. */
export const Language = z.enum(['en', 'ko']);
export type Language = z.infer<typeof Language>;

/** Something shown to the learner, in every language: lesson text, a check's verdict, a hint. */
export type Text = Readonly<Record<Language, string>>;

/**
 * The learner's language, decided in one place for `orch-lab start` and `orch-lab lesson`: the
 * `--lang` flag, then ORCH_LAB_LANG, then the locale; English otherwise. Of the locale variables
 * the first one set wins, in POSIX's order for messages: LC_ALL, LC_MESSAGES, LANG. So
 * `LANG=ko_KR.UTF-8` gives Korean, and `LC_ALL=C` beside it gives English.
 */
export function chooseLanguage(flag: string | undefined, env: NodeJS.ProcessEnv): Language {
  if (flag !== undefined) return named(flag, '--lang');
  if (env.ORCH_LAB_LANG) return named(env.ORCH_LAB_LANG, 'ORCH_LAB_LANG');
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG;
  return locale && languageOfLocale(locale) === 'ko' ? 'ko' : 'en';
}

/**
 * A language the learner named: `ko` or `en`, or a locale of either (`ko_KR.UTF-8`). Anything else
 * is refused rather than quietly read as English: `kr` is a country, not a language.
 */
function named(value: string, source: string): Language {
  const language = Language.safeParse(languageOfLocale(value));
  if (!language.success) throw new Error(`${source}=${value}: the lessons speak ko (Korean) or en (English)`);
  return language.data;
}

/** The language part of a POSIX locale name, language[_territory][.codeset][@modifier]. */
const languageOfLocale = (locale: string): string => locale.split(/[_.@-]/)[0]!.toLowerCase();
