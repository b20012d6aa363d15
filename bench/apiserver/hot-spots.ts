// Summarises a V8 CPU profile (.cpuprofile, from `node --cpu-prof`) of the control plane: where its
// busy time went (idle time left out), by package and by function, and which of OUR functions
// (files under src/) cost most, by self time and with their callees. Usage:
//
//   BENCH_CP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/cp-prof" BENCH_FIGURES=1 npm run bench -- apiserver
//   npx tsx bench/apiserver/hot-spots.ts /tmp/cp-prof/CPU.*.0.001.cpuprofile [--top 15] [--from S] [--to S]
//
// node writes one profile per thread: `.0.001` is the main thread (the control plane), the other is
// tsx's loader thread. The profile covers the whole process life, start-up included: --from and --to
// keep only samples taken that many seconds after the process started (the benchmark's progress
// lines give the times, near enough), or run one figure at a time (BENCH_FIGURES).
//
// tsx hands V8 whitespace-minified code, one line per file, so our functions are named by file and
// name only, and an anonymous one by the nearest named function it was called from.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: number[];
}

interface Profile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function where(url: string): { file: string; area: string } {
  if (url === '') return { file: '', area: '(native/V8)' };
  if (url.startsWith('node:')) return { file: url, area: 'node internals' };
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inModules) return { file: relative(ROOT, path), area: inModules[1]! };
  const file = relative(ROOT, path);
  return { file, area: file.startsWith('src/') ? 'ours (src/)' : file };
}

/** Where a function is: its name, file and (for other files than ours) line. */
function frameLabel(node: ProfileNode, calledFrom: () => string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const { file, area } = where(url);
  if (!file) return functionName || '(anonymous)';
  // Our files reach V8 as one line each (see the header): a line number says nothing.
  const at = area === 'ours (src/)' ? file : `${file}:${lineNumber + 1}`;
  return `${functionName || `(anonymous, called from ${calledFrom()})`}  ${at}`;
}

/** One function wherever it was called from: the same name at the same place in the same script. */
function frameKey(node: ProfileNode): string {
  const { functionName, url, lineNumber, columnNumber } = node.callFrame as ProfileNode['callFrame'] & {
    columnNumber: number;
  };
  return `${functionName}|${url}|${lineNumber}|${columnNumber}`;
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

interface Window {
  readonly fromS: number;
  readonly toS: number;
}

function summarise(path: string, top: number, window: Window): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // Labelled at first sight: an anonymous function is named after its first caller seen.
  const labels = new Map<string, string>();
  const label = (id: number): string => {
    const node = byId.get(id)!;
    const key = frameKey(node);
    let text = labels.get(key);
    if (text === undefined) {
      const up = parent.get(id);
      text = frameLabel(node, () => (up === undefined ? 'root' : label(up).split('  ')[0]!));
      labels.set(key, text);
    }
    return text;
  };

  const selfMs = new Map<number, number>();
  let totalMs = 0;
  let clockUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    clockUs += profile.timeDeltas[i] ?? 0;
    if (clockUs < window.fromS * 1e6 || clockUs > window.toS * 1e6) continue;
    // timeDeltas[i] is the time before sample i; attribute the gap after it to sample i instead.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1_000;
    totalMs += ms;
    selfMs.set(profile.samples[i]!, (selfMs.get(profile.samples[i]!) ?? 0) + ms);
  }
  const name = (id: number) => byId.get(id)!.callFrame.functionName;
  let idleMs = 0;
  for (const [id, ms] of selfMs) if (name(id) === '(idle)') idleMs += ms;
  const busyMs = totalMs - idleMs;
  const pct = (ms: number) => `${((100 * ms) / busyMs).toFixed(1).padStart(5)}%`;

  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  const byArea = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const oursSelf = new Map<string, number>();
  const oursTotal = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const node = byId.get(id)!;
    if (name(id) === '(idle)') continue;
    const special = SPECIAL.has(name(id));
    add(byArea, special ? name(id) : where(node.callFrame.url).area, ms);
    add(selfByFunction, label(id), ms);
    if (!special && where(node.callFrame.url).area === 'ours (src/)') add(oursSelf, label(id), ms);
    // Inclusive: every one of our functions on this sample's stack, each once (recursion).
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!;
      if (where(frame.callFrame.url).area !== 'ours (src/)') continue;
      const key = label(at);
      if (!seen.has(key)) {
        seen.add(key);
        add(oursTotal, key, ms);
      }
    }
  }

  const print = (title: string, map: Map<string, number>) => {
    console.log(title);
    const sorted = [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [key, ms] of sorted)
      console.log(`  ${pct(ms)}  ${(ms / 1_000).toFixed(2).padStart(6)} s  ${key}`);
    console.log('');
  };
  const span = Number.isFinite(window.toS) ? `${window.fromS} to ${window.toS} s` : `from ${window.fromS} s`;
  console.log(`${path} (${span} after start)`);
  console.log(
    `  sampled ${(totalMs / 1_000).toFixed(1)} s, idle ${(idleMs / 1_000).toFixed(1)} s, ` +
      `busy ${(busyMs / 1_000).toFixed(1)} s (the main thread; shares below are of busy time)`,
  );
  console.log('');
  print('by area (self time)', byArea);
  print('hottest functions, anywhere (self time)', selfByFunction);
  print('hottest of OUR functions (src/), self time', oursSelf);
  print('hottest of OUR functions (src/), with callees', oursTotal);
}

const args = process.argv.slice(2);
const files: string[] = [];
const options = { top: 15, from: 0, to: Number.POSITIVE_INFINITY };
for (let i = 0; i < args.length; i++) {
  const flag = /^--(top|from|to)$/.exec(args[i]!)?.[1] as keyof typeof options | undefined;
  if (flag) options[flag] = Number(args[++i]);
  else files.push(args[i]!);
}
if (files.length === 0 || Object.values(options).some(Number.isNaN)) {
  console.error(
    'usage: npx tsx bench/apiserver/hot-spots.ts PROFILE.cpuprofile... [--top N] [--from S] [--to S]',
  );
  process.exit(2);
}
for (const file of files) summarise(file, options.top, { fromS: options.from, toS: options.to });
