// The UI under test as its own process, so its CPU is its own: `orch-lab start`'s Start component
// attached to the running lab of ORCH_LAB_HOME, drawing into stdout (a pipe the benchmark reads)
// as a 120x40 terminal and reading keys from stdin, throttled as run.tsx throttles `orch-lab start`.
// Asked "frames" over IPC it answers how many frames it has written and how many renders ink made.

import { PassThrough, Writable } from 'node:stream';
import { render } from 'ink';
import { bootLab } from '../../src/tui/boot.ts';
import { MAX_FPS } from '../../src/tui/run.tsx';
import { Start } from '../../src/tui/Start.tsx';

const home = process.env.ORCH_LAB_HOME;
if (!home) throw new Error('ORCH_LAB_HOME names the lab to attach to');

let frames = 0;
/** ink's renders: layout and output computed, whether or not the frame differed and was written. */
let renders = 0;
/** ink brackets a frame with these (synchronized output) on terminals that take them. */
const SYNC_MARKERS = new Set(['\x1b[?2026h', '\x1b[?2026l']);
// ink writes each frame with one write, between its sync markers: counting the other writes counts frames.
const stdout = Object.assign(
  new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      if (!SYNC_MARKERS.has(chunk.toString())) frames++;
      process.stdout.write(chunk, callback);
    },
  }),
  { columns: 120, rows: 40, isTTY: true },
);
// A pipe has no raw mode to switch; keys arrive one write at a time as a terminal sends them.
const stdin = Object.assign(new PassThrough(), {
  isTTY: true,
  setRawMode: () => stdin,
  ref: () => stdin,
  unref: () => stdin,
});
process.stdin.pipe(stdin);

render(
  <Start
    boot={(progress) => bootLab({ home, apiPort: 0, etcdPort: 0, nodes: 0, runtime: 'process' }, progress)}
    onQuit={() => process.exit(0)}
  />,
  {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: stdout as unknown as NodeJS.WriteStream,
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: MAX_FPS,
    onRender: () => {
      renders++;
    },
  },
);

process.on('message', (message) => {
  if (message === 'frames') process.send?.({ frames, renders });
});
// The benchmark ends it with SIGINT; exiting (rather than dying of the signal) writes a --cpu-prof profile.
process.on('SIGINT', () => process.exit(0));
