import { Box, Text } from 'ink';
import { useTheme } from './context.ts';
import type { ComponentHealth } from './use-health.ts';

const MARK = { ok: '✓', failed: '✗', unknown: '?' } as const;

/** The control plane's components with their health, one line. */
export function Header({ components }: { readonly components: readonly ComponentHealth[] }) {
  const theme = useTheme();
  const color = { ok: theme.ok, failed: theme.error, unknown: theme.muted };
  return (
    <Box gap={2} paddingX={1}>
      <Text bold color={theme.accent}>
        orch-lab
      </Text>
      {components.length === 0 && <Text color={theme.muted}>checking the control plane…</Text>}
      {components.map((c) => (
        <Text key={c.name} wrap="truncate">
          <Text color={color[c.state]}>{MARK[c.state]}</Text> {c.name.replace(/^kube-/, '')}{' '}
          <Text color={theme.muted}>
            {c.state === 'ok' && !c.detail.startsWith('rev') ? '' : c.detail.slice(0, 20)}
          </Text>
        </Text>
      ))}
    </Box>
  );
}
