import type { Tool } from './lib/tool.ts';

/** busybox: nothing but the toolbox every lab image carries, like the real multi-call binary. */
export const programs: Readonly<Record<string, Tool>> = {};
