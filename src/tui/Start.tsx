import { Box, Text, useApp, useInput } from 'ink';
import { useEffect, useState } from 'react';
import type { UpProgress } from '../cli/commands/lab.ts';
import { App } from './App.tsx';
import { BootScreen } from './BootScreen.tsx';
import { type BootLine, bootProgress } from './boot-progress.ts';
import { LabContext, useTheme } from './context.ts';
import type { LabSession } from './lab-session.ts';

/** How the UI ended: the learner left the lab running, or asked to stop it. */
export type QuitChoice = 'leave' | 'stop';

/**
 * Start is `orch-lab start` on screen: the boot steps until `boot` has a session, then the main
 * screen; `q` there asks whether to leave the lab running (Enter: yes) and hands the answer to onQuit.
 */
export function Start(props: {
  readonly boot: (progress: UpProgress) => Promise<LabSession>;
  readonly onQuit: (choice: QuitChoice) => void;
}) {
  const theme = useTheme();
  const { exit } = useApp();
  const [lines, setLines] = useState<readonly BootLine[]>([]);
  const [session, setSession] = useState<LabSession>();
  const [error, setError] = useState<string>();
  const [asking, setAsking] = useState(false);
  useEffect(() => {
    let mounted = true;
    props.boot(bootProgress((l) => mounted && setLines(l))).then(
      (s) => (mounted ? setSession(s) : void s.close()),
      (err: unknown) =>
        mounted && setError(`Start-up failed: ${err instanceof Error ? err.message : String(err)}`),
    );
    return () => {
      mounted = false;
    };
  }, [props.boot]);
  useEffect(() => () => void session?.close(), [session]);
  const quit = (choice: QuitChoice) => {
    props.onQuit(choice);
    exit();
  };
  useInput(
    (input, key) => {
      if (!asking) return key.ctrl && input === 'c' ? quit('leave') : undefined;
      if (key.return || input === 'y' || input === 'Y') quit('leave');
      else if (input === 'n' || input === 'N') quit('stop');
      else if (key.escape) setAsking(false);
    },
    { isActive: asking || !session },
  );
  if (!session) {
    return (
      <Box flexDirection="column">
        <BootScreen lines={lines} error={error} />
        {error && <Text color={theme.muted}> Ctrl-C to leave.</Text>}
      </Box>
    );
  }
  return (
    <LabContext.Provider value={session}>
      {asking ? (
        <Box borderStyle="double" borderColor={theme.warn} paddingX={1} flexDirection="column">
          <Text bold>Leave the lab running? [Y/n]</Text>
          <Text color={theme.muted}>
            Y (Enter): it keeps running; `orch-lab start` attaches again. n: stop it. Esc: back.
          </Text>
        </Box>
      ) : (
        <App onQuit={() => setAsking(true)} />
      )}
    </LabContext.Provider>
  );
}
