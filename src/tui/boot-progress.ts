import type { UpProgress } from '../cli/commands/lab.ts';

/** One start-up step as the boot screen lists it. */
export interface BootStep {
  readonly title: string;
  readonly state: 'running' | 'done' | 'failed';
  /** Milliseconds the step took, once it finished. */
  readonly ms?: number;
  readonly error?: string;
}

/** A boot screen line: a step, or a note between steps. */
export type BootLine =
  | ({ readonly kind: 'step' } & BootStep)
  | { readonly kind: 'note'; readonly text: string };

/**
 * bootProgress turns `up`'s steps into lines for the boot screen; `onChange` gets the whole list
 * after every change. Times come from `now` so a test could pin them.
 */
export function bootProgress(
  onChange: (lines: readonly BootLine[]) => void,
  now = () => Date.now(),
): UpProgress {
  const lines: BootLine[] = [];
  const set = (i: number, line: BootLine) => {
    lines[i] = line;
    onChange([...lines]);
  };
  return {
    async step(title, run) {
      const i = lines.length;
      const started = now();
      set(i, { kind: 'step', title, state: 'running' });
      try {
        const result = await run();
        set(i, { kind: 'step', title, state: 'done', ms: now() - started });
        return result;
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        set(i, { kind: 'step', title, state: 'failed', ms: now() - started, error });
        throw err;
      }
    },
    note(text) {
      set(lines.length, { kind: 'note', text });
    },
  };
}
