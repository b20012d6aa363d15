import { render } from 'ink';
import { down, type UpOptions } from '../cli/commands/lab.ts';
import type { Language } from '../lessons/language.ts';
import { bootLab } from './boot.ts';
import { LanguageContext, ThemeContext, themeFor } from './context.ts';
import { type QuitChoice, Start } from './Start.tsx';

/**
 * Frames a second at most (ink throttles to this). The data hooks batch changes to 10 redraws a
 * second (REDRAW_INTERVAL_MS); the room above that is for keys, which then echo within 50 ms.
 */
export const MAX_FPS = 30;
const ALTERNATE_SCREEN = { enter: '\x1b[?1049h', leave: '\x1b[?1049l' };

/** `orch-lab start`: the terminal UI on this terminal's alternate screen, then stop the lab if asked. */
export async function runStart(options: UpOptions, language: Language): Promise<void> {
  let choice = 'leave' as QuitChoice; // set by onQuit, which TypeScript cannot see run
  process.stdout.write(ALTERNATE_SCREEN.enter);
  try {
    const app = render(
      <ThemeContext.Provider value={themeFor(process.env)}>
        <LanguageContext.Provider value={language}>
          <Start boot={(progress) => bootLab(options, progress)} onQuit={(c) => (choice = c)} />
        </LanguageContext.Provider>
      </ThemeContext.Provider>,
      { exitOnCtrlC: false, maxFps: MAX_FPS },
    );
    await app.waitUntilExit();
  } finally {
    process.stdout.write(ALTERNATE_SCREEN.leave);
  }
  if (choice === 'stop') await down({ home: options.home, purge: false });
  else
    console.log(
      `The lab keeps running in ${options.home}; 'orch-lab start' attaches again, 'orch-lab down' stops it.`,
    );
}
