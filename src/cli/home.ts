import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where orch-lab keeps its state: $ORCH_LAB_HOME, or ~/.orch-lab. */
export function orchLabHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.ORCH_LAB_HOME || join(homedir(), '.orch-lab');
}
