import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';

/** The UI's settings, kept in $ORCH_LAB_HOME/settings.json and changed with `setting NAME VALUE`. */
export const Settings = z.object({
  /** builtin: our own kubectl runs what it covers, the real one the rest; real: the real one runs everything. */
  kubectl: z.enum(['builtin', 'real']).default('builtin'),
});
export type Settings = z.infer<typeof Settings>;

export const DEFAULT_SETTINGS: Settings = Settings.parse({});

/** The settings file's contents; a missing or unreadable file gives the defaults. */
export async function loadSettings(path: string): Promise<Settings> {
  const text = await readFile(path, 'utf8').catch(() => '{}');
  try {
    return Settings.catch(DEFAULT_SETTINGS).parse(JSON.parse(text));
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export async function saveSettings(path: string, settings: Settings): Promise<void> {
  await writeFile(path, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
}

/**
 * applySetting reads `setting NAME VALUE` words: the new settings, or what is wrong with them.
 * `setting` alone lists the settings.
 */
export function applySetting(settings: Settings, name: string, value: string): Settings | string {
  const parsed = Settings.safeParse({ ...settings, [name]: value });
  if (!(name in Settings.shape))
    return `setting: no setting "${name}"; settings: ${Object.keys(Settings.shape).join(', ')}`;
  if (!parsed.success) return `setting ${name}: ${parsed.error.issues[0]!.message}`;
  return parsed.data;
}
