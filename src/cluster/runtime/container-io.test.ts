import { PassThrough, type Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ContainerIO } from './container-io.ts';

/** Everything a stream gives until it ends. */
async function text(stream: Readable | undefined): Promise<string> {
  let all = '';
  for await (const chunk of stream ?? []) all += chunk.toString();
  return all;
}

const streams = { stdin: true, stdout: true, stderr: true };
const once = { stdinOnce: true, tty: false };

describe('ContainerIO', () => {
  it('copies output from the attach on, stdout and stderr apart, and ends it when the container exits', async () => {
    const io = new ContainerIO(undefined, { stdinOnce: false, tty: false });
    io.write('stdout', Buffer.from('before\n'));
    const session = io.attach({ stdin: false, stdout: true, stderr: true });
    io.write('stdout', Buffer.from('out\n'));
    io.write('stderr', Buffer.from('err\n'));
    io.close();
    expect(await text(session.stdout)).toBe('out\n');
    expect(await text(session.stderr)).toBe('err\n');
    await session.ended;
  });

  it('gives a tty one stream and no stderr', async () => {
    const io = new ContainerIO(undefined, { stdinOnce: false, tty: true });
    const session = io.attach(streams);
    expect(session.stderr).toBeUndefined();
    io.write('stdout', Buffer.from('a'));
    io.write('stderr', Buffer.from('b'));
    io.close();
    expect(await text(session.stdout)).toBe('ab');
  });

  it('closes the stdin of a stdinOnce container when the session input ends, and keeps the output', async () => {
    const stdin = new PassThrough();
    const io = new ContainerIO(stdin, once);
    const session = io.attach(streams);
    session.stdin!.end('line\n');
    expect(await text(stdin)).toBe('line\n');
    io.write('stdout', Buffer.from('got line\n'));
    io.close();
    expect(await text(session.stdout)).toBe('got line\n');
  });

  it("hands a stdinOnce container's first session what it wrote before it, and no later session", async () => {
    const io = new ContainerIO(new PassThrough(), once);
    io.write('stdout', Buffer.from('hi\n'));
    io.write('stderr', Buffer.from('oops\n'));
    const first = io.attach({ stdin: false, stdout: true, stderr: true });
    io.write('stdout', Buffer.from('then\n'));
    const second = io.attach({ stdin: false, stdout: true, stderr: true });
    io.close();
    expect(await text(first.stdout)).toBe('hi\nthen\n');
    expect(await text(first.stderr)).toBe('oops\n');
    expect(await text(second.stdout)).toBe('');
  });

  it('keeps stdin open across sessions without stdinOnce; a session whose input ends is over', async () => {
    const stdin = new PassThrough();
    const io = new ContainerIO(stdin, { stdinOnce: false, tty: false });
    const first = io.attach(streams);
    first.stdin!.end('one\n');
    await first.ended;
    const second = io.attach(streams);
    second.stdin!.write('two\n');
    second.detach();
    await second.ended;
    expect(stdin.read()?.toString()).toBe('one\ntwo\n');
    expect(stdin.writableEnded).toBe(false);
  });

  it('closes a stdinOnce tty container stdin when its first session with stdin detaches', async () => {
    const stdin = new PassThrough();
    const io = new ContainerIO(stdin, { stdinOnce: true, tty: true });
    const watcher = io.attach({ stdin: false, stdout: true, stderr: false });
    watcher.detach();
    expect(stdin.writableEnded).toBe(false);
    const session = io.attach(streams);
    session.stdin!.write('exit\r');
    session.detach();
    expect(await text(stdin)).toBe('exit\r');
    // Later input goes nowhere.
    const late = io.attach(streams);
    late.stdin!.write('ignored');
    io.close();
    await late.ended;
  });

  it('takes input for a container without stdin and drops it, as containerd does', async () => {
    const io = new ContainerIO(undefined, { stdinOnce: false, tty: false });
    const session = io.attach(streams);
    await new Promise<void>((resolve) => session.stdin!.write('nobody reads this', () => resolve()));
    io.write('stdout', Buffer.from('still here\n'));
    io.close();
    expect(await text(session.stdout)).toBe('still here\n');
  });
});
