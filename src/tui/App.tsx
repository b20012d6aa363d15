import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import type { KubeObject } from '../cluster/api/meta.ts';
import { events as eventType, nodes as nodeType, pods as podType } from '../cluster/api/resources.ts';
import { ClusterMap } from './ClusterMap.tsx';
import { useLab, useTheme } from './context.ts';
import { EventsTab, eventRows } from './EventsTab.tsx';
import { FlowTab, flowRows } from './FlowTab.tsx';
import { Header } from './Header.tsx';
import { HelpOverlay } from './HelpOverlay.tsx';
import { LessonTab } from './LessonTab.tsx';
import { ObjectView, type ObjectViewMode } from './ObjectView.tsx';
import type { ObjectRef } from './object-ref.ts';
import { Repl } from './Repl.tsx';
import { RequestRate } from './RequestRate.tsx';
import { RolloutChart } from './RolloutChart.tsx';
import { decisionRows, SchedulerTab } from './SchedulerTab.tsx';
import { StatusLine } from './StatusLine.tsx';
import { StoreTab } from './StoreTab.tsx';
import { useAuditFlow } from './use-audit.ts';
import { useClusterModel } from './use-cluster-model.ts';
import { useHealth } from './use-health.ts';
import { lessonPrompt, useLesson } from './use-lesson.ts';
import { useRepl } from './use-repl.ts';
import { useRollouts } from './use-rollouts.ts';
import { useSettings } from './use-settings.ts';
import { useTerminalSize } from './use-terminal-size.ts';

export const TABS = ['Events', 'Flow', 'Store', 'Scheduler', 'Lesson'] as const;
/** The rollout chart's width beside the cluster map. */
const CHART_WIDTH = 34;
const PANES = ['map', 'tabs', 'prompt'] as const;
type Pane = (typeof PANES)[number];

/** A pod of the cluster map ("namespace/name") as an object to open. */
const podRef = (key: string | undefined): ObjectRef | undefined => {
  if (!key) return undefined;
  const [namespace = 'default', name = ''] = key.split('/');
  return { kind: 'pod', namespace, name };
};

/** The main screen: control plane, cluster map, the lower tabs, the prompt and a status line. */
export function App({ onQuit }: { readonly onQuit: () => void }) {
  const lab = useLab();
  const theme = useTheme();
  const { columns, rows } = useTerminalSize();
  const health = useHealth();
  const [tab, setTab] = useState(0);
  const flow = useAuditFlow(TABS[tab] === 'Flow');
  // The chart shows the rollout that moved last.
  const rollout = [...useRollouts()].sort((a, b) => b.lastActive - a.lastActive)[0];
  const [focus, setFocus] = useState<Pane>('prompt');
  const [selected, setSelected] = useState({ map: 0, tabs: 0 });
  const [filters, setFilters] = useState({ map: '', tabs: '' });
  const [filtering, setFiltering] = useState(false);
  const [help, setHelp] = useState(false);
  /** Which pair of the highlighted key's revisions the Store tab compares (0: the newest two). */
  const [storeCompare, setStoreCompare] = useState(0);
  const [view, setView] = useState<ObjectRef & { mode: ObjectViewMode; scroll: number }>();
  // Read from the informers' caches when Tab asks, so the prompt does not follow every pod change.
  const names = (resource: string) => {
    const cached = resource === 'pods' ? podType : resource === 'nodes' ? nodeType : undefined;
    return cached
      ? lab
          .informer<KubeObject>(cached)
          .store.list()
          .map((o) => o.metadata?.name ?? '')
      : [];
  };
  const [settings, changeSettings] = useSettings(lab.settingsFile);
  const lesson = useLesson();
  const repl = useRepl(lab, names, settings, changeSettings, lessonPrompt(lesson));
  const model = useClusterModel(filters.map);
  const selectedPod = model.order[Math.min(selected.map, model.order.length - 1)];

  // The tabs that list objects (Events, Flow, Scheduler) follow their own data; Enter reads the same
  // rows from the caches to open the highlighted one.
  const rowsOf = (which: number): readonly { ref?: ObjectRef }[] => {
    if (which === 0) return eventRows(lab.informer(eventType).store.list(), filters.tabs);
    if (which === 1) return flowRows(flow.entries, filters.tabs);
    if (which === 3) return decisionRows(lab.informer(podType).store.list(), filters.tabs);
    return [];
  };
  const listPane = focus === 'prompt' ? undefined : focus;
  const move = (by: number) => {
    if (!listPane) return;
    setSelected((s) => ({ ...s, [listPane]: Math.max(0, s[listPane] + by) }));
    setStoreCompare(0);
  };
  const cycle = (by: number) =>
    setFocus((f) => PANES[(PANES.indexOf(f) + by + PANES.length) % PANES.length]!);

  useInput((input, key) => {
    if (view) {
      if (key.escape || input === 'q') return setView(undefined);
      const mode = ({ y: 'yaml', d: 'describe', l: 'logs' } as const)[input as 'y' | 'd' | 'l'];
      if (mode) return setView({ ...view, mode, scroll: 0 });
      if (key.upArrow || key.downArrow) {
        return setView({ ...view, scroll: Math.max(0, view.scroll + (key.upArrow ? -1 : 1)) });
      }
      return;
    }
    if (help) {
      if (key.escape || input === '?' || input === 'q') setHelp(false);
      return;
    }
    if (filtering && listPane) {
      if (key.return) return setFiltering(false);
      if (key.escape) {
        setFiltering(false);
        return setFilters((f) => ({ ...f, [listPane]: '' }));
      }
      const edit = (f: string) => (key.backspace || key.delete ? f.slice(0, -1) : f + input);
      return setFilters((f) => ({ ...f, [listPane]: edit(f[listPane]) }));
    }
    if (focus === 'prompt') {
      if (key.escape) return setFocus('map');
      if (key.shift && key.tab) return cycle(-1);
      // `:` means "to the prompt" everywhere; on an empty prompt it is that key, not a character.
      if (input === ':' && repl.input === '') return;
      return repl.onKey(input, key);
    }
    if (input === 'q') return onQuit();
    if (input === '?') return setHelp(true);
    if (input === ':') return setFocus('prompt');
    if (key.tab) return cycle(key.shift ? -1 : 1);
    if (/^[1-5]$/.test(input)) {
      setTab(Number(input) - 1);
      return setSelected((s) => ({ ...s, tabs: 0 }));
    }
    if (input === '/') return setFiltering(true);
    if (TABS[tab] === 'Store' && (input === '[' || input === ']')) {
      return setStoreCompare((c) => Math.max(0, c + (input === '[' ? 1 : -1)));
    }
    if (key.upArrow || key.downArrow) return move(key.upArrow ? -1 : 1);
    if (key.return) {
      const rows = focus === 'tabs' ? rowsOf(tab) : [];
      const ref =
        focus === 'map' ? podRef(selectedPod?.key) : rows[Math.min(selected.tabs, rows.length - 1)]?.ref;
      if (ref) setView({ ...ref, mode: 'yaml', scroll: 0 });
    }
  });

  // One row short of the terminal: ink redraws a frame as tall as the terminal by clearing the screen,
  // on every render and unthrottled; a shorter one is throttled to maxFps and skipped when unchanged.
  const height = rows - 1;
  const bodyRows = height - 2;
  const mapHeight = Math.max(8, Math.floor(bodyRows * 0.4));
  const tabsHeight = Math.max(5, Math.floor((bodyRows - mapHeight) / 2));
  const replHeight = bodyRows - mapHeight - tabsHeight;
  const tabProps = {
    width: columns - 4,
    height: tabsHeight - 3,
    filter: filters.tabs,
    selected: focus === 'tabs' ? selected.tabs : -1,
  };
  const border = (pane: Pane) => (focus === pane ? theme.accent : theme.muted);
  return (
    <Box flexDirection="column" width={columns} height={height}>
      <Header components={health.components} />
      {view ? (
        <ObjectView {...view} height={bodyRows} settings={settings} />
      ) : help ? (
        <HelpOverlay height={bodyRows} />
      ) : (
        <>
          <Box height={mapHeight}>
            <ClusterMap
              model={model}
              selectedPod={focus === 'map' ? selectedPod?.key : undefined}
              width={rollout ? columns - CHART_WIDTH : columns}
              height={mapHeight}
            />
            {rollout && <RolloutChart rollout={rollout} width={CHART_WIDTH} />}
          </Box>
          <Box
            flexDirection="column"
            height={tabsHeight}
            borderStyle="single"
            borderColor={border('tabs')}
            paddingX={1}
          >
            <Box justifyContent="space-between">
              <Text wrap="truncate">
                {TABS.map((name, i) => (
                  <Text key={name} inverse={i === tab} color={i === tab ? undefined : theme.muted}>
                    {` ${i + 1} ${name} `}
                  </Text>
                ))}
              </Text>
              <RequestRate perSecond={flow.perSecond} width={Math.max(0, columns - 64)} />
            </Box>
            <Box height={tabsHeight - 3} overflow="hidden">
              {tab === 0 && <EventsTab {...tabProps} />}
              {tab === 1 && <FlowTab {...tabProps} entries={flow.entries} />}
              {tab === 2 && <StoreTab {...tabProps} active compare={storeCompare} />}
              {tab === 3 && <SchedulerTab {...tabProps} />}
              {tab === 4 && <LessonTab {...tabProps} lesson={lesson} />}
            </Box>
          </Box>
          <Box height={replHeight} borderStyle="single" borderColor={border('prompt')} paddingX={1}>
            <Repl repl={repl} focused={focus === 'prompt'} height={replHeight - 2} />
          </Box>
        </>
      )}
      <StatusLine
        health={health}
        focus={focus}
        filter={listPane && filters[listPane]}
        filtering={filtering}
      />
    </Box>
  );
}
