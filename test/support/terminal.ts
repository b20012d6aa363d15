import { spawn } from 'node:child_process';

/** What to type into the terminal once it has shown `after`. */
export interface TerminalStep {
  readonly after: string;
  readonly type: string;
}

/**
 * Runs `command` in a pseudo-terminal (Python's pty module, as `script` would) and types each step
 * once the terminal has shown its `after` text, so nothing is typed before the program is ready for
 * it. Resolves with what the terminal showed and the exit code, once the command has exited.
 */
export function inTerminal(
  command: readonly string[],
  steps: readonly TerminalStep[],
  timeoutSeconds = 60,
): Promise<{ output: string; code: number }> {
  const driver = `
import json, os, pty, sys, select, time
steps = json.loads(sys.stdin.read())
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b''
deadline = time.time() + ${timeoutSeconds}
while time.time() < deadline:
    while steps and steps[0]['after'].encode() in out:
        os.write(fd, steps.pop(0)['type'].encode())
    ready, _, _ = select.select([fd], [], [], 0.1)
    if not ready:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
else:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
sys.exit(os.waitstatus_to_exitcode(status) & 255)
`;
  return new Promise((resolve) => {
    const child = spawn('python3', ['-c', driver, ...command]);
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.on('close', (code) => resolve({ output, code: code ?? -1 }));
    child.stdin.end(JSON.stringify(steps));
  });
}
