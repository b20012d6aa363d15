import { z } from 'zod';
import type { ContainerStatus as ApiContainerStatus, Pod } from '../../api/core/pod.ts';

/** The query of GET /containerLogs (PodLogOptions), parsed strictly: numbers must be numbers. */
const count = z.coerce.number().int().nonnegative();
export const PodLogOptions = z.object({
  follow: z.boolean(),
  previous: z.boolean(),
  timestamps: z.boolean(),
  tailLines: count.optional(),
  limitBytes: count.optional(),
  sinceSeconds: count.optional(),
  sinceTime: z.iso.datetime({ offset: true }).optional(),
});
export type PodLogOptions = z.infer<typeof PodLogOptions>;

export function parseLogOptions(params: URLSearchParams): PodLogOptions {
  const flag = (name: string) => ['1', 'true'].includes(params.get(name) ?? '');
  const optional = (name: string) => params.get(name) ?? undefined;
  return PodLogOptions.parse({
    follow: flag('follow'),
    previous: flag('previous'),
    timestamps: flag('timestamps'),
    tailLines: optional('tailLines'),
    limitBytes: optional('limitBytes'),
    sinceSeconds: optional('sinceSeconds'),
    sinceTime: optional('sinceTime'),
  });
}

/** A container whose logs cannot be served: the kubelet's plain-text answer and its code. */
export class LogRequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * validateContainerLogStatus (kubelet_pods.go): which run's logs a request means: the current
 * run's, the previous one's with `previous`, or, for a container waiting after a crash, the
 * run that crashed. A container that never ran has no logs and says why.
 */
export function containerIdForLogs(
  pod: Pod,
  status: Pod['status'],
  container: string,
  previous: boolean,
): string {
  const podName = pod.metadata.name ?? '';
  const statuses: ApiContainerStatus[] = [
    ...(status?.initContainerStatuses ?? []),
    ...(status?.containerStatuses ?? []),
  ];
  const cs = statuses.find((s) => s.name === container);
  if (!cs) throw new LogRequestError(400, `container "${container}" in pod "${podName}" is not available`);
  const last = cs.lastState?.terminated;
  let id: string | undefined;
  if (previous) {
    if (!last?.containerID)
      throw new LogRequestError(
        400,
        `previous terminated container "${container}" in pod "${podName}" not found`,
      );
    id = last.containerID;
  } else if (cs.state.running) id = cs.containerID;
  else if (cs.state.terminated) {
    id = cs.state.terminated.containerID;
    if (!id) throw new LogRequestError(400, `container "${container}" in pod "${podName}" is terminated`);
  } else if (cs.state.waiting) {
    if (last?.containerID) id = last.containerID;
    else {
      const reason = cs.state.waiting.reason ?? '';
      const why =
        reason === 'ErrImagePull' || reason === 'ImagePullBackOff'
          ? 'trying and failing to pull image'
          : reason;
      throw new LogRequestError(
        400,
        `container "${container}" in pod "${podName}" is waiting to start: ${why}`,
      );
    }
  }
  if (!id) throw new LogRequestError(400, `container "${container}" in pod "${podName}" is not available`);
  // The status writes it <runtime>://<id>; the runtime knows it by the ID alone.
  return id.replace(/^[\w.-]+:\/\//, '');
}
