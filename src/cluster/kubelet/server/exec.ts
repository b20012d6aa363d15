import { z } from 'zod';
import { parseStreamOptions } from '../../cri/streaming/remotecommand.ts';

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
