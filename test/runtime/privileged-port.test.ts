import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

// Only root can drop to another user, and only where low ports are privileged is there a failure to see.
const lowPortsPrivileged =
  process.getuid?.() === 0 &&
  Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8')) > 80;

it.skipIf(!lowPortsPrivileged)('explains a failed bind of a port below 1024 and exits non-zero', () => {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'bind-low-port.ts'), '127.244.203.2'],
    { uid: 65534, gid: 65534, encoding: 'utf8', env: { ...process.env, HOME: '/tmp' } },
  );
  expect(result.status).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain('nginx: bind() to 127.244.203.2:80 failed (13: Permission denied)\n');
  expect(result.stderr).toContain('sysctl -w net.ipv4.ip_unprivileged_port_start=0');
});
