/** The lab container runtime: what the node agent and the kubelet import. */
export * from './cri.ts';
export {
  ContainerLogNotFoundError,
  type ContainerLogOptions,
  containerLogs,
  type FollowOptions,
  readContainerLogs,
} from './log.ts';
export { ProcessRuntime, type ProcessRuntimeOptions } from './process-runtime.ts';
export { type RuntimeServer, serveRuntime } from './runtime-server.ts';
