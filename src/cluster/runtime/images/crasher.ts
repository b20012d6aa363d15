import type { Tool } from './lib/tool.ts';
import { write } from './lib/tool.ts';
import { parseDuration } from './toolbox/system.ts';

/**
 * crasher: exits with a chosen code after a chosen time, for CrashLoopBackOff and restartPolicy
 * lessons. `crasher --exit-code 1 --after 2s`, or EXIT_CODE and CRASH_AFTER in the environment.
 */
const crasher: Tool = async (io) => {
  const flag = (name: string) => {
    const i = io.argv.indexOf(name);
    return i > 0 ? io.argv[i + 1] : undefined;
  };
  const code = Number(flag('--exit-code') ?? io.env.get('EXIT_CODE') ?? 1);
  const afterText = flag('--after') ?? io.env.get('CRASH_AFTER') ?? '3s';
  const after = parseDuration(afterText);
  if (!Number.isInteger(code) || code < 0 || code > 255 || after === undefined) {
    await write(io.stderr, 'usage: crasher [--exit-code 0-255] [--after DURATION, e.g. 2s, 0.5s, 1m]\n');
    return 2;
  }
  await write(io.stdout, `crasher: started; exiting with code ${code} in ${afterText}\n`);
  await new Promise((resolve) => setTimeout(resolve, after));
  await write(io.stdout, `crasher: exiting with code ${code}\n`);
  return code;
};

export const programs: Readonly<Record<string, Tool>> = { crasher };
