// Test helper: owns a ProcessRuntime, starts a busybox container, prints its PID, then waits to be killed.
import { runtimeFixture } from './runtime-fixture.ts';

const f = await runtimeFixture(process.argv[2]!);
const pod = await f.sandbox('orphan');
const id = await f.container(pod, { name: 'sleeper', image: 'busybox', command: ['sleep', '3600'] });
process.stdout.write(`${JSON.stringify({ pid: (await f.runtime.containerStatus(id)).pid, dir: f.dir })}\n`);
