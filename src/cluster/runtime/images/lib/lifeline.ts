import { Socket } from 'node:net';

/** The file descriptor of the lifeline pipe the runtime passes every container process. */
export const lifelineFd = 3;

/**
 * The runtime holds the other end of fd 3. When the process owning the runtime (the node agent)
 * dies, even by SIGKILL, the kernel closes its end, this side reads end-of-file, and the container
 * goes with its node, as containers go with a node that is switched off.
 */
export function watchLifeline(): Socket {
  const lifeline = new Socket({ fd: lifelineFd, readable: true, writable: true });
  const die = () => process.kill(process.pid, 'SIGKILL');
  lifeline.on('end', die).on('close', die).on('error', die);
  lifeline.resume();
  lifeline.unref();
  return lifeline;
}

/**
 * Tells the runtime the program is in place (its PID 1 signal dispositions set), as runc's exec
 * fifo tells containerd the container process has started: startContainer returns after this.
 */
export function reportStarted(lifeline: Socket): void {
  lifeline.write('started\n');
}
