import { posix } from 'node:path';

/**
 * How a command name becomes one of an image's programs, as execve would find a binary: a bare
 * name is looked up in PATH, a path must name the program itself (e.g. /bin/sh, /usr/sbin/nginx,
 * or /docker-entrypoint.sh, which the catalog lists by its path). Shared by the runtime (to fail
 * a start or exec as runc does) and by the programs (the shell's own command lookup).
 */

/** The PATH of the lab's images, the same as Debian- and Alpine-based images set. */
export const imagePath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const pathDirs = new Set(imagePath.split(':'));

/** The program `argv0` names among `commands` (names and paths), or undefined when there is none. */
export function lookPath(argv0: string, commands: ReadonlySet<string>): string | undefined {
  if (!argv0.includes('/')) return commands.has(argv0) ? argv0 : undefined;
  const path = posix.normalize(argv0);
  if (commands.has(path)) return path;
  const name = posix.basename(path);
  return pathDirs.has(posix.dirname(path)) && commands.has(name) ? name : undefined;
}

/** The reason runc gives when the command is not there (the "exec: ..." part of its error). */
function execNotFound(argv0: string): string {
  return argv0.includes('/')
    ? `exec: "${argv0}": stat ${argv0}: no such file or directory`
    : `exec: "${argv0}": executable file not found in $PATH`;
}

/** What `kubectl exec` prints for a missing command, before "command terminated with exit code 126". */
export function execFailedMessage(argv0: string): string {
  return `OCI runtime exec failed: exec failed: unable to start container process: ${execNotFound(argv0)}: unknown`;
}

/** A container's status message when its command is missing (reason StartError, exit code 128). */
export function startFailedMessage(argv0: string): string {
  return (
    'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create ' +
    `failed: unable to start container process: ${execNotFound(argv0)}: unknown`
  );
}

/** Exit code of an exec whose command cannot be started, as docker and kubectl report it. */
export const execFailedExitCode = 126;
/** Exit code CRI runtimes report for a container whose process never started. */
export const startFailedExitCode = 128;
