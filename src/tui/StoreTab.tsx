import { Box, Text } from 'ink';
import { memo } from 'react';
import { useTheme } from './context.ts';
import { type TabProps, visibleWindow } from './tab-props.ts';
import { type KeyRevision, type StoreKey, useKeyHistory, useRegistryKeys } from './use-store.ts';
import { valueDiff } from './value-diff.ts';

/** A line of the key tree: a folder, or a key with its revisions. */
interface TreeLine {
  /** The folder's or the key's full path. */
  readonly id: string;
  readonly text: string;
  readonly key?: StoreKey;
}

/** /registry/pods/default/web -> "registry/", "  pods/", "    default/", "      web", folders once each. */
function tree(keys: readonly StoreKey[]): TreeLine[] {
  const lines: TreeLine[] = [];
  let previous: string[] = [];
  for (const key of keys) {
    const parts = key.key.split('/').filter(Boolean);
    const folders = parts.slice(0, -1);
    let same = 0;
    while (same < folders.length && folders[same] === previous[same]) same++;
    for (let depth = same; depth < folders.length; depth++) {
      lines.push({
        id: `/${folders.slice(0, depth + 1).join('/')}/`,
        text: `${'  '.repeat(depth)}${folders[depth]}/`,
      });
    }
    lines.push({ id: key.key, text: `${'  '.repeat(folders.length)}${parts.at(-1)}`, key });
    previous = folders;
  }
  return lines;
}

/** Every key the tab shows starts with it; the watch lines leave it out. */
const REGISTRY_PREFIX = '/registry/';

/**
 * The store as etcdctl sees it: the /registry tree, following the store's watch, with the latest
 * changes under it; beside it the highlighted key's revisions and what changed between two of
 * them (`compare` steps back from the newest pair: 0 compares the last write with the one before).
 */
export const StoreTab = memo(function StoreTab(
  props: TabProps & { readonly active: boolean; readonly compare: number },
) {
  const theme = useTheme();
  const { keys, events, error } = useRegistryKeys(props.active);
  const lines = tree(keys.filter((k) => !props.filter || k.key.includes(props.filter)));
  const selected = Math.max(0, Math.min(props.selected, lines.length - 1));
  const current = lines[selected]?.key;
  const history = useKeyHistory(current);
  if (lines.length === 0)
    return <Text color={error ? theme.error : theme.muted}>{error ?? 'Reading the store…'}</Text>;
  // The watch's latest events under the tree: three and a title when there is room, else the last one.
  const watchRows = props.height >= 10 ? 3 : 1;
  const treeRows = Math.max(1, props.height - watchRows - (watchRows > 1 ? 1 : 0));
  const watched = events.filter((e) => !props.filter || e.key.includes(props.filter)).slice(-watchRows);
  const { rows, first } = visibleWindow(lines, treeRows, selected);
  const treeWidth = Math.floor(props.width * 0.45);
  const paneWidth = props.width - treeWidth - 1;
  // The pair compared: history is newest first, so step k compares history[k + 1] -> history[k].
  const step = Math.min(props.compare, Math.max(0, history.length - 2));
  const [newer, older] = [history[step], history[step + 1]];
  const bodyRows = Math.max(0, props.height - 2);
  return (
    <Box height={props.height}>
      <Box flexDirection="column" width={treeWidth}>
        <Box flexDirection="column" height={treeRows}>
          {rows.map((line, i) => (
            <Text key={line.id} wrap="truncate" inverse={first + i === selected}>
              {line.text}
              {line.key && <Text color={theme.muted}> rev {line.key.modRevision}</Text>}
            </Text>
          ))}
        </Box>
        {watchRows > 1 && (
          <Text wrap="truncate" color={theme.muted}>
            watch /registry/ (live)
          </Text>
        )}
        {error && (
          <Text wrap="truncate" color={theme.error}>
            {error}
          </Text>
        )}
        {watched.map((e) => (
          <Text key={`${e.revision}${e.key}`} wrap="truncate">
            {watchRows === 1 && <Text color={theme.muted}>watch </Text>}
            <Text color={e.type === 'PUT' ? theme.ok : theme.terminating}>{e.type.padEnd(6)}</Text>
            {e.key.slice(REGISTRY_PREFIX.length)} <Text color={theme.muted}>rev {e.revision}</Text>
          </Text>
        ))}
      </Box>
      <Box flexDirection="column" width={paneWidth} height={props.height} paddingLeft={1} overflow="hidden">
        {current ? (
          <>
            <Text wrap="truncate" bold>
              {current.key}
            </Text>
            <Text wrap="truncate" color={theme.info}>
              revisions {history.map((h) => h.modRevision).join(' ← ')}{' '}
              <Text color={theme.muted}>
                · created {current.createRevision} · version {current.version}
              </Text>
            </Text>
            {newer && older ? (
              <RevisionDiff older={older} newer={newer} rows={bodyRows} />
            ) : (
              <Text wrap="wrap">{newer ? newer.value.slice(0, bodyRows * paneWidth) : ''}</Text>
            )}
          </>
        ) : (
          <Text color={theme.muted}>Highlight a key to read it.</Text>
        )}
      </Box>
    </Box>
  );
});

/** What one write changed: the fields it added, removed and changed, one line each. */
function RevisionDiff(props: {
  readonly older: KeyRevision;
  readonly newer: KeyRevision;
  readonly rows: number;
}) {
  const theme = useTheme();
  const changes = valueDiff(props.older.value, props.newer.value);
  const color = { '+': theme.ok, '-': theme.error, '~': theme.warn };
  return (
    <>
      <Text wrap="truncate">
        rev {props.older.modRevision} → {props.newer.modRevision}: {changes.length} changed{' '}
        <Text color={theme.muted}>([ older · ] newer)</Text>
      </Text>
      {changes.slice(0, Math.max(0, props.rows - 1)).map((c) => (
        <Text key={c.path} wrap="truncate" color={color[c.op]}>
          {c.op} {c.path}
          {c.op === '~' ? `: ${c.before} → ${c.after}` : `: ${c.after ?? c.before}`}
        </Text>
      ))}
    </>
  );
}
