import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageNotFoundError } from '../../src/cluster/runtime/cri.ts';
import { containerLogs } from '../../src/cluster/runtime/log.ts';
import { execText, fetchWhenUp, type RuntimeFixture, runtimeFixture } from './runtime-fixture.ts';

let f: RuntimeFixture;
beforeAll(async () => {
  f = await runtimeFixture('127.244.200.0/24');
});
afterAll(() => f.close());

async function logText(path: string): Promise<string> {
  let text = '';
  for await (const chunk of containerLogs(path)) text += chunk.toString();
  return text;
}

describe('ProcessRuntime', () => {
  it('runs nginx on the pod IP with the welcome page, access log and a shell', async () => {
    const pod = await f.sandbox('web');
    expect(pod.ip).toMatch(/^127\.244\.200\.\d+$/);
    const id = await f.container(pod, { name: 'nginx', image: 'nginx' });

    const res = await fetchWhenUp(`http://${pod.ip}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('server')).toMatch(/^nginx\/1\.27\./);
    expect(await res.text()).toContain('<h1>Welcome to nginx!</h1>');
    const missing = await fetch(`http://${pod.ip}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('<center><h1>404 Not Found</h1></center>');

    const status = await f.runtime.containerStatus(id);
    expect(status.state).toBe('CONTAINER_RUNNING');
    expect(status.pid).toBeGreaterThan(0);
    expect(status.logPath).toBe(join(pod.config.logDirectory, 'nginx/0.log'));
    const raw = await readFile(status.logPath, 'utf8');
    expect(raw).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F \/docker-entrypoint\.sh: /m);
    expect(await logText(status.logPath)).toMatch(/"GET \/ HTTP\/1\.1" 200 615 "-" "node" "-"/);

    const ls = await execText(f.runtime, id, ['ls', '/usr/share/nginx/html']);
    expect(ls).toEqual({ code: 0, stdout: '50x.html\nindex.html\n', stderr: '' });
    const sh = await execText(f.runtime, id, ['sh', '-c', 'echo a | grep a && echo $HOSTNAME; hostname -i']);
    expect(sh).toEqual({ code: 0, stdout: `a\nweb\n${pod.ip}\n`, stderr: '' });
    const loop = await execText(f.runtime, id, [
      'sh',
      '-c',
      'i=0; while [ $i -lt 3 ]; do echo "$i: $(echo x)"; i=$((i+1)); done > /tmp/out; cat /tmp/out; exit 4',
    ]);
    expect(loop).toEqual({ code: 4, stdout: '0: x\n1: x\n2: x\n', stderr: '' });
  });

  it('lets two containers of a pod talk over localhost and share a volume', async () => {
    const volume = join(f.dir, 'volumes', 'shared');
    await mkdir(volume, { recursive: true });
    await writeFile(join(volume, 'index.html'), 'from the volume\n');
    const pod = await f.sandbox('pair');
    const mounts = [{ containerPath: '/usr/share/nginx/html', hostPath: volume, readonly: false }];
    await f.container(pod, { name: 'web', image: 'nginx:1.27', mounts });
    const sidecar = await f.container(pod, {
      name: 'sidecar',
      image: 'busybox',
      command: ['sleep', '3600'],
      mounts: [
        { containerPath: '/data', hostPath: volume, readonly: false },
        { containerPath: '/etc/config', hostPath: volume, readonly: true },
      ],
    });
    await fetchWhenUp(`http://${pod.ip}/`);

    const got = await execText(f.runtime, sidecar, ['wget', '-qO-', 'http://localhost/']);
    expect(got).toEqual({ code: 0, stdout: 'from the volume\n', stderr: '' });
    // Another pod is reached at its own IP.
    const other = await f.sandbox('other');
    await f.container(other, { name: 'httpd', image: 'httpd' });
    await fetchWhenUp(`http://${other.ip}/`);
    const across = await execText(f.runtime, sidecar, ['wget', '-qO-', `http://${other.ip}/`]);
    expect(across.stdout).toBe('<html><body><h1>It works!</h1></body></html>\n');
    const written = await execText(f.runtime, sidecar, [
      'sh',
      '-c',
      'echo hello > /data/note.txt && ls /data',
    ]);
    expect(written.stdout).toBe('index.html\nnote.txt\n');
    expect((await fetch(`http://${pod.ip}/note.txt`)).status).toBe(200);
    expect(await readFile(join(volume, 'note.txt'), 'utf8')).toBe('hello\n');
    expect(
      await execText(f.runtime, sidecar, ['sh', '-c', 'cat /etc/config/note.txt; rm /etc/config/note.txt']),
    ).toEqual({
      code: 1,
      stdout: 'hello\n',
      stderr: "rm: can't remove '/etc/config/note.txt': Read-only file system\n",
    });
  });

  it('reports exit codes and reasons: Error, Completed, StartError', async () => {
    const pod = await f.sandbox('crash');
    const failing = await f.container(pod, {
      name: 'fails',
      image: 'crasher',
      args: ['--exit-code', '3', '--after', '0.1s'],
    });
    const ok = await f.container(pod, {
      name: 'ok',
      image: 'crasher',
      envs: [
        { key: 'EXIT_CODE', value: '0' },
        { key: 'CRASH_AFTER', value: '0' },
      ],
    });
    await Promise.all([f.stopped(failing), f.stopped(ok)]);
    expect(await f.runtime.containerStatus(failing)).toMatchObject({
      state: 'CONTAINER_EXITED',
      exitCode: 3,
      reason: 'Error',
    });
    expect(await f.runtime.containerStatus(ok)).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(await logText((await f.runtime.containerStatus(failing)).logPath)).toContain(
      'crasher: exiting with code 3\n',
    );

    await expect(
      f.container(pod, { name: 'missing', image: 'busybox', command: ['nosuchcmd'] }),
    ).rejects.toThrow('exec: "nosuchcmd": executable file not found in $PATH');
    const [missing] = await f.runtime.listContainers({
      labelSelector: { 'io.kubernetes.container.name': 'missing' },
    });
    expect(missing).toMatchObject({ state: 'CONTAINER_EXITED', exitCode: 128, reason: 'StartError' });

    // The kubelet learns all this from events rather than by polling.
    const events: string[] = [];
    f.runtime.onContainerEvent((e) => {
      if (e.containerId === failing) events.push(e.type);
    });
    await f.runtime.removeContainer(failing);
    expect(events).toEqual(['CONTAINER_DELETED_EVENT']);
    await expect(f.runtime.containerStatus(failing)).rejects.toThrow(`container "${failing}": not found`);
  });

  it('OOMKills a container over its memory limit with exit code 137', async () => {
    const pod = await f.sandbox('hog');
    const id = await f.container(pod, {
      name: 'stress',
      image: 'stress',
      args: ['--vm', '1', '--vm-bytes', '150M'],
      memoryLimit: 64 * 1024 * 1024,
    });
    await f.stopped(id);
    expect(await f.runtime.containerStatus(id)).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  });

  it('stops with the stop signal (handled, trapped, or ignored by PID 1 until SIGKILL)', async () => {
    const pod = await f.sandbox('grace');
    const web = await f.container(pod, { name: 'web', image: 'nginx' });
    const sleeper = await f.container(pod, { name: 'sleeper', image: 'busybox', command: ['sleep', '3600'] });
    await fetchWhenUp(`http://${pod.ip}/`);
    const trapper = await f.container(pod, {
      name: 'trapper',
      image: 'busybox',
      command: ['sh', '-c', 'trap "echo got TERM, cleaning up; exit 3" TERM; while true; do sleep 1; done'],
    });
    await Promise.all([
      f.runtime.stopContainer(web, 10),
      f.runtime.stopContainer(sleeper, 1),
      f.runtime.stopContainer(trapper, 10),
    ]);
    expect(await f.runtime.containerStatus(trapper)).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(await logText((await f.runtime.containerStatus(trapper)).logPath)).toBe('got TERM, cleaning up\n');
    // nginx handles SIGQUIT and exits 0; sleep, as PID 1 without a handler, ignores SIGTERM.
    expect(await f.runtime.containerStatus(web)).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(await f.runtime.containerStatus(sleeper)).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(await logText((await f.runtime.containerStatus(web)).logPath)).toContain(
      'signal 3 (SIGQUIT) received',
    );
  });

  it('fails exec of a missing command as runc does, and runs a tty shell', async () => {
    const pod = await f.sandbox('shell');
    const id = await f.container(pod, { name: 'box', image: 'busybox', command: ['sleep', '3600'] });
    const missing = await execText(f.runtime, id, ['bash']);
    expect(missing.code).toBe(126);
    expect(missing.stderr).toBe(
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "bash": executable file not found in $PATH: unknown\n',
    );
    expect((await execText(f.runtime, id, ['sh', '-c', 'nosuch'])).stderr).toBe('sh: nosuch: not found\n');

    const session = await f.runtime.exec({ containerId: id, cmd: ['sh'], tty: true, stdin: true });
    let screen = '';
    session.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
    });
    // Raw-mode keystrokes: a typo fixed with backspace, Enter as \r, then exit.
    session.stdin!.write('echo hix\x7f\r');
    session.stdin!.write('exit 5\r');
    expect(await session.exited).toBe(5);
    expect(screen).toBe('/ # echo hix\b \b\r\nhi\r\n/ # exit 5\r\n');

    // ps sees the container's processes only, as in its PID namespace, where init shrugs off SIGKILL.
    const ps = await execText(f.runtime, id, ['ps']);
    expect(ps.stdout).toMatch(/^PID {3}USER {5}TIME {2}COMMAND\n/);
    expect(ps.stdout).toMatch(/^ *\d+ root +\d+:\d\d sleep 3600$/m);
    expect(ps.stdout.trim().split('\n')).toHaveLength(3);
    const { pid } = await f.runtime.containerStatus(id);
    expect(await execText(f.runtime, id, ['kill', '-9', String(pid)])).toMatchObject({ code: 0 });
    expect(await execText(f.runtime, id, ['kill', String(process.pid)])).toMatchObject({
      code: 1,
      stderr: `sh: can't kill pid ${process.pid}: No such process\n`,
    });
    expect((await f.runtime.containerStatus(id)).state).toBe('CONTAINER_RUNNING');
  });

  it('serves httpd and myapp, and attaches to a running container', async () => {
    const apache = await f.sandbox('apache');
    await f.container(apache, { name: 'httpd', image: 'httpd' });
    const page = await fetchWhenUp(`http://${apache.ip}/`);
    expect(page.headers.get('server')).toBe('Apache/2.4.62 (Unix)');
    expect(await page.text()).toBe('<html><body><h1>It works!</h1></body></html>\n');

    const app = await f.sandbox('app-7d9f');
    const id = await f.container(app, { name: 'app', image: 'myapp:v2' });
    expect(await (await fetchWhenUp(`http://${app.ip}/`)).text()).toBe(
      `myapp v2 | pod app-7d9f | ip ${app.ip}\n`,
    );

    const attached = await f.runtime.attach({
      containerId: id,
      stdin: false,
      stdout: true,
      stderr: true,
      tty: false,
    });
    let seen = '';
    const line = new Promise<string>((resolve) =>
      attached.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('healthz')) resolve(seen);
      }),
    );
    await fetch(`http://${app.ip}/healthz`);
    expect(await line).toMatch(/"GET \/healthz HTTP\/1\.1" 200 3\n$/);
    attached.detach();
  });

  it('hands out pod IPs from .2 upward and reuses released ones', async () => {
    const a = await f.sandbox('ip-a');
    const b = await f.sandbox('ip-b');
    const last = (ip: string) => Number(ip.split('.')[3]);
    expect(last(b.ip)).toBe(last(a.ip) + 1);
    await f.runtime.stopPodSandbox(a.id);
    await f.runtime.removePodSandbox(a.id);
    const c = await f.sandbox('ip-c');
    expect(c.ip).toBe(a.ip);
  });

  it('names images as Docker does and lists the lab images for an unknown one', async () => {
    const id = await f.runtime.pullImage({ image: 'nginx' });
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await f.runtime.pullImage({ image: 'docker.io/library/nginx:latest' })).toBe(id);
    expect((await f.runtime.imageStatus({ image: 'nginx:latest' }))?.repoTags).toContain(
      'docker.io/library/nginx:latest',
    );
    await expect(f.runtime.pullImage({ image: 'myapp:v4' })).rejects.toThrow(ImageNotFoundError);
    await expect(f.runtime.pullImage({ image: 'myapp:v4' })).rejects.toThrow(/myapp:v1, myapp:v2, myapp:v3/);
  });
});
