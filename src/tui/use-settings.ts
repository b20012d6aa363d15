import { useCallback, useEffect, useState } from 'react';
import { DEFAULT_SETTINGS, loadSettings, type Settings, saveSettings } from './settings.ts';

/** useSettings is settings.json as React state: read once, written back on every change. */
export function useSettings(path: string): [Settings, (next: Settings) => Promise<void>] {
  const [settings, setSettings] = useState<Settings>(DEFAULT_SETTINGS);
  useEffect(() => {
    let mounted = true;
    void loadSettings(path).then((loaded) => mounted && setSettings(loaded));
    return () => {
      mounted = false;
    };
  }, [path]);
  const change = useCallback(
    async (next: Settings) => {
      setSettings(next);
      await saveSettings(path, next);
    },
    [path],
  );
  return [settings, change];
}
