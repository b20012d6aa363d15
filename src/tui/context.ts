import { createContext, useContext } from 'react';
import type { Language } from '../lessons/language.ts';
import type { LabSession } from './lab-session.ts';

/** The colours the UI names; what each is depends on the theme. */
export type ColorName = 'ok' | 'warn' | 'error' | 'info' | 'muted' | 'accent' | 'terminating';

/** Colours by name, as ink's `color` prop takes them; all undefined without colour (NO_COLOR). */
export type Theme = Readonly<Record<ColorName, string | undefined>>;

const COLORS_256: Theme = {
  ok: 'ansi256(41)',
  warn: 'ansi256(220)',
  error: 'ansi256(196)',
  info: 'ansi256(81)',
  muted: 'ansi256(245)',
  accent: 'ansi256(69)',
  terminating: 'ansi256(170)',
};

const NO_COLORS: Theme = {
  ok: undefined,
  warn: undefined,
  error: undefined,
  info: undefined,
  muted: undefined,
  accent: undefined,
  terminating: undefined,
};

/** https://no-color.org: any non-empty NO_COLOR turns colour off. */
export const themeFor = (env: NodeJS.ProcessEnv): Theme => (env.NO_COLOR ? NO_COLORS : COLORS_256);

export const ThemeContext = createContext<Theme>(COLORS_256);
export const useTheme = (): Theme => useContext(ThemeContext);

/** The learner's language (lessons/language.ts chooses it): the Lesson tab and `lesson ...` speak it. */
export const LanguageContext = createContext<Language>('en');
export const useLanguage = (): Language => useContext(LanguageContext);

export const LabContext = createContext<LabSession | undefined>(undefined);

export function useLab(): LabSession {
  const session = useContext(LabContext);
  if (!session) throw new Error('useLab: no LabContext above this component');
  return session;
}
