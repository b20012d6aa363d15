import { appendFile, readFile } from 'node:fs/promises';

/** How many lines the prompt remembers across sessions. */
export const HISTORY_LIMIT = 1000;

/** The prompt's history, oldest first, from $ORCH_LAB_HOME/history (one command a line). */
export async function loadHistory(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).slice(-HISTORY_LIMIT);
}

export async function appendHistory(path: string, line: string): Promise<void> {
  await appendFile(path, `${line}\n`, { mode: 0o600 });
}
