// Facts about the machine that bear on the figures: what it is, where $ORCH_LAB_HOME lives, and how
// busy OTHER processes kept its cores meanwhile (a 2-core machine shared with another benchmark or
// a type check gives figures that say little about the code).

import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';

/** The file system $ORCH_LAB_HOME lives on (fsync costs differ enormously); as in bench/store/main.ts. */
export function tmpFileSystem(): string {
  const dir = tmpdir();
  let best = { mount: '', type: 'unknown' };
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const [, mount, type] = line.split(' ');
    if (mount && type && (dir === mount || dir.startsWith(mount === '/' ? '/' : `${mount}/`))) {
      if (mount.length >= best.mount.length) best = { mount, type };
    }
  }
  return `${dir} (${best.type})`;
}

export function machineLine(): string {
  const cores = cpus();
  return (
    `machine: ${cores.length} cores (${cores[0]?.model.trim() ?? 'unknown'}), ` +
    `${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}, Node ${process.version}, ` +
    `ORCH_LAB_HOME in ${tmpFileSystem()}`
  );
}

/** Busy CPU seconds of every core together, from /proc/stat (all but idle and iowait). */
function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  // USER_HZ is 100 on every Linux that node supports.
  return (user + nice + system + irq + softirq + steal) / 100;
}

/**
 * Starts counting the CPU the whole machine uses; `stop(ours)` answers how much of it went to
 * processes other than this one and the control plane (`ours`: its CPU seconds over the same time),
 * in % of one core.
 */
export function otherLoad(): { stop: (controlPlaneSeconds: number) => string } {
  const busy0 = machineBusySeconds();
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const load0 = loadavg()[0]!;
  return {
    stop: (controlPlaneSeconds) => {
      const seconds = (performance.now() - t0) / 1_000;
      const self = process.cpuUsage(self0);
      const other = machineBusySeconds() - busy0 - controlPlaneSeconds - (self.user + self.system) / 1e6;
      return (
        `other processes meanwhile: ${Math.max(0, (100 * other) / seconds).toFixed(0)}% of one core on average ` +
        `(load average ${load0.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end); ` +
        'well above 0% means the figures were shared with other work'
      );
    },
  };
}
