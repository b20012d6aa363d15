import { z } from 'zod';
import type { RuntimeService } from '../../runtime/cri.ts';
import { parseStreamOptions, type StreamSession, successStatus } from './remotecommand.ts';

/** The query of an exec request: repeated `command`, and which streams to attach. */
export const ExecQuery = z.object({
  command: z.array(z.string()).min(1, 'you must specify at least 1 command'),
  stdin: z.boolean(),
  stdout: z.boolean(),
  stderr: z.boolean(),
  tty: z.boolean(),
});
export type ExecQuery = z.infer<typeof ExecQuery>;

/** Parses the exec query; a flag is on when given as 1 or true. */
export function parseExecQuery(params: URLSearchParams): ExecQuery {
  return ExecQuery.parse({ command: params.getAll('command'), ...parseStreamOptions(params) });
}

/** The error channel's last word: Success, or NonZeroExitCode with the code (remotecommand v4). */
export function exitStatus(cmd: readonly string[], code: number): object {
  if (code === 0) return successStatus;
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${cmd.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** Starts the command in the container: the session ends when the process has exited. */
export async function execSession(
  runtime: RuntimeService,
  containerId: string,
  query: ExecQuery,
): Promise<StreamSession> {
  const process = await runtime.exec({ containerId, cmd: query.command, tty: query.tty, stdin: query.stdin });
  // Output nobody asked for is still read, so a full pipe does not stall the process.
  if (!query.stdout) process.stdout.resume();
  if (!query.stderr) process.stderr?.resume();
  return {
    ...(process.stdin ? { stdin: process.stdin } : {}),
    ...(query.stdout ? { stdout: process.stdout } : {}),
    ...(query.stderr && process.stderr ? { stderr: process.stderr } : {}),
    resize: (size) => process.resize(size),
    status: process.exited.then((code) => exitStatus(query.command, code)),
    hangUp: () => process.stdin?.end(),
  };
}
