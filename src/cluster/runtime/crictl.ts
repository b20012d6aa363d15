import type { ContainerStatus, Image, PodSandboxStatus } from './cri.ts';
import { formatRfc3339Nano } from './cri-log-format.ts';

/**
 * crictl's output, from cri-tools: tables written through Go's tabwriter (minimum cell width 20,
 * padding 3), IDs cut to 13 characters, "About a minute ago" ages and SI image sizes, so the lab's
 * `orch-lab crictl` reads like crictl on a real node.
 */

/** A tabwriter table: every column but the last padded to max(20, widest cell + 3). */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 20, cell.length + 3);
    });
  }
  return rows
    .map((row) => `${row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]!) : cell)).join('')}\n`)
    .join('');
}

/** The 13-character ID crictl prints, without the sha256: prefix of image IDs. */
export function truncateId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 13);
}

/**
 * unitsHumanDuration is docker/go-units' HumanDuration, which crictl (like docker) prints in its CREATED
 * column: "Less than a second", "About a minute", "3 hours", ... Not kubectl's humanDuration.
 */
export function unitsHumanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const minutes = Math.floor(ms / 60_000);
  const hours = Math.round(ms / 3_600_000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

/** docker/go-units HumanSizeWithPrecision(size, 3): decimal units, three significant digits. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < units.length - 1) {
    size /= 1000;
    unit++;
  }
  return `${Number(size.toPrecision(3))}${units[unit]}`;
}

const ago = (createdAt: bigint, now: number) =>
  `${unitsHumanDuration(now - Number(createdAt / 1_000_000n))} ago`;
const title = (state: string) => state.charAt(0) + state.slice(1).toLowerCase();

/** `crictl ps`: newest first, the pod's name from the kubelet's label. */
export function formatContainers(
  containers: readonly ContainerStatus[],
  sandboxes: readonly PodSandboxStatus[],
  now: number,
): string {
  const podName = (c: ContainerStatus) =>
    c.labels['io.kubernetes.pod.name'] ??
    sandboxes.find((s) => s.id === c.podSandboxId)?.metadata.name ??
    'unknown';
  const rows = [...containers]
    .sort((a, b) => Number(b.createdAt - a.createdAt))
    .map((c) => [
      truncateId(c.id),
      truncateId(c.imageRef),
      ago(c.createdAt, now),
      title(c.state.replace('CONTAINER_', '')),
      c.metadata.name,
      String(c.metadata.attempt),
      truncateId(c.podSandboxId),
      podName(c),
    ]);
  return table([['CONTAINER', 'IMAGE', 'CREATED', 'STATE', 'NAME', 'ATTEMPT', 'POD ID', 'POD'], ...rows]);
}

/** `crictl pods`. */
export function formatSandboxes(sandboxes: readonly PodSandboxStatus[], now: number): string {
  const rows = [...sandboxes]
    .sort((a, b) => Number(b.createdAt - a.createdAt))
    .map((s) => [
      truncateId(s.id),
      ago(s.createdAt, now),
      s.state === 'SANDBOX_READY' ? 'Ready' : 'NotReady',
      s.metadata.name,
      s.metadata.namespace,
      String(s.metadata.attempt),
      '(default)',
    ]);
  return table([['POD ID', 'CREATED', 'STATE', 'NAME', 'NAMESPACE', 'ATTEMPT', 'RUNTIME'], ...rows]);
}

/** `crictl images`: one row per repo:tag. */
export function formatImages(images: readonly Image[]): string {
  const rows = images.flatMap((image) =>
    image.repoTags.map((repoTag) => {
      const colon = repoTag.lastIndexOf(':');
      return [repoTag.slice(0, colon), repoTag.slice(colon + 1), truncateId(image.id), humanSize(image.size)];
    }),
  );
  return table([['IMAGE', 'TAG', 'IMAGE ID', 'SIZE'], ...rows]);
}

const time = (ns: bigint) => (ns === 0n ? '1970-01-01T00:00:00Z' : formatRfc3339Nano(ns));

/** `crictl inspect CONTAINER`: the status in CRI's JSON shape, with the process ID under info. */
export function inspectContainer(c: ContainerStatus): string {
  const { pid, createdAt, startedAt, finishedAt, image, ...rest } = c;
  const status = {
    ...rest,
    image: { image },
    createdAt: time(createdAt),
    startedAt: time(startedAt),
    finishedAt: time(finishedAt),
    state: c.state,
  };
  return `${JSON.stringify({ status, info: { pid: pid ?? 0, runtimeType: 'orch-lab.process' } }, null, 2)}\n`;
}

/** `crictl inspectp POD`. */
export function inspectSandbox(s: PodSandboxStatus): string {
  const status = { ...s, createdAt: time(s.createdAt), network: { additionalIps: [], ip: s.network.ip } };
  return `${JSON.stringify({ status, info: { runtimeType: 'orch-lab.process' } }, null, 2)}\n`;
}
