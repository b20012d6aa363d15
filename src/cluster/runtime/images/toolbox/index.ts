import type { Tool } from '../lib/tool.ts';
import { cat, grep, head, ls, mkdirTool, rmTool, sort, tail, touch, wc } from './files.ts';
import { nslookup, wget } from './network.ts';
import { sh } from './sh.ts';
import {
  date,
  echo,
  env,
  falseTool,
  hostname,
  id,
  kill,
  printenv,
  ps,
  pwd,
  seq,
  sleep,
  test,
  trueTool,
} from './system.ts';
import { tar } from './tar.ts';

/**
 * The busybox-style toolbox every lab image carries, so `kubectl exec <any pod> -- sh -c '...'`
 * works as it does with real images that ship a shell.
 */
export const toolbox: Readonly<Record<string, Tool>> = {
  sh,
  ash: sh,
  sleep,
  echo,
  cat,
  ls,
  env,
  printenv,
  hostname,
  wget,
  nslookup,
  mkdir: mkdirTool,
  touch,
  rm: rmTool,
  date,
  true: trueTool,
  false: falseTool,
  head,
  tail,
  grep,
  wc,
  sort,
  seq,
  id,
  kill,
  ps,
  pwd,
  test,
  '[': test,
  tar,
};
