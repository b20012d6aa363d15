/** core/v1 Node: a machine (here, a lab node) that runs pods, with its capacity and health. */
import type { z } from 'zod';
import { objectFields } from '../meta.ts';
import {
  always,
  apiPackage,
  bool,
  int32,
  int64,
  listOf,
  mapOf,
  optional,
  Quantity,
  required,
  str,
  strings,
  Time,
  zero,
} from '../schema.ts';

const core = apiPackage('io.k8s.api.core.v1');

export const Taint = core.struct('Taint', 'Repels pods that do not tolerate it.', {
  key: required(str, 'Taint key, e.g. node.kubernetes.io/unreachable.'),
  value: optional(str, 'Taint value.'),
  effect: required(str, 'NoSchedule, PreferNoSchedule or NoExecute.'),
  timeAdded: optional(Time, 'When a NoExecute taint was added.'),
});
export type Taint = z.infer<typeof Taint>;

export const ConfigMapNodeConfigSource = core.struct(
  'ConfigMapNodeConfigSource',
  'Deprecated: a ConfigMap holding kubelet configuration.',
  {
    namespace: required(str, 'Namespace of the ConfigMap.'),
    name: required(str, 'Name of the ConfigMap.'),
    uid: optional(str, 'UID of the ConfigMap.'),
    resourceVersion: optional(str, 'Version of the ConfigMap.'),
    kubeletConfigKey: required(str, 'Key holding the kubelet configuration.'),
  },
);

export const NodeConfigSource = core.struct(
  'NodeConfigSource',
  'Deprecated: where kubelet configuration comes from.',
  {
    configMap: optional(ConfigMapNodeConfigSource, 'A ConfigMap.'),
  },
);

export const NodeSpec = core.struct('NodeSpec', 'How the node is set up and whether it takes new pods.', {
  podCIDR: optional(str, 'Pod IP range of the node.'),
  podCIDRs: optional(strings, 'Pod IP ranges of the node, one per IP family.'),
  providerID: optional(str, 'Cloud provider ID of the machine.'),
  unschedulable: optional(bool, 'Keep new pods off the node (kubectl cordon).'),
  taints: optional(listOf(Taint), 'Taints of the node.'),
  configSource: optional(NodeConfigSource, 'Deprecated; ignored.'),
  externalID: optional(str, 'Deprecated; ignored.'),
});

export const NodeCondition = core.struct('NodeCondition', 'One aspect of node health, e.g. Ready.', {
  type: required(str, 'Ready, MemoryPressure, DiskPressure, PIDPressure or NetworkUnavailable.'),
  status: required(str, 'True, False or Unknown.'),
  lastHeartbeatTime: optional(Time, 'When the kubelet last reported it.'),
  lastTransitionTime: optional(Time, 'When the status last changed.'),
  reason: optional(str, 'One-word CamelCase reason.'),
  message: optional(str, 'Human-readable detail.'),
});
export type NodeCondition = z.infer<typeof NodeCondition>;

export const NodeAddress = core.struct('NodeAddress', 'An address of the node.', {
  type: required(str, 'Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.'),
  address: required(str, 'The address.'),
});

export const DaemonEndpoint = core.struct('DaemonEndpoint', 'A port a node daemon listens on.', {
  Port: zero(int32, 0, 'Port number.'),
});

export const NodeDaemonEndpoints = core.struct('NodeDaemonEndpoints', 'Ports of the daemons on the node.', {
  kubeletEndpoint: always(DaemonEndpoint, 'The kubelet API port.'),
});

export const NodeSwapStatus = core.struct('NodeSwapStatus', 'Swap memory of the node.', {
  capacity: optional(int64, 'Swap space in bytes.'),
});

export const NodeSystemInfo = core.struct('NodeSystemInfo', 'Identity and software of the node.', {
  machineID: required(str, 'Machine ID from /etc/machine-id.'),
  systemUUID: required(str, 'Hardware UUID.'),
  bootID: required(str, 'ID of the current boot.'),
  kernelVersion: required(str, 'Kernel version (uname -r).'),
  osImage: required(str, 'Operating system image, e.g. Debian GNU/Linux 12.'),
  containerRuntimeVersion: required(str, 'Runtime and version, e.g. containerd://1.7.'),
  kubeletVersion: required(str, 'Kubelet version.'),
  kubeProxyVersion: required(str, 'Deprecated: kube-proxy version.'),
  operatingSystem: required(str, 'GOOS, e.g. linux.'),
  architecture: required(str, 'GOARCH, e.g. amd64.'),
  swap: optional(NodeSwapStatus, 'Swap memory, when the node has any.'),
});

export const ContainerImage = core.struct('ContainerImage', 'An image present on the node.', {
  names: optional(strings, 'Names and digests of the image.'),
  sizeBytes: optional(int64, 'Size in bytes.'),
});

export const AttachedVolume = core.struct('AttachedVolume', 'A volume attached to the node.', {
  name: required(str, 'Volume name.'),
  devicePath: required(str, 'Where it is attached.'),
});

export const NodeConfigStatus = core.struct('NodeConfigStatus', 'Deprecated: kubelet configuration status.', {
  assigned: optional(NodeConfigSource, 'Assigned configuration.'),
  active: optional(NodeConfigSource, 'Configuration in use.'),
  lastKnownGood: optional(NodeConfigSource, 'Fallback configuration.'),
  error: optional(str, 'Configuration problem.'),
});

export const NodeRuntimeHandlerFeatures = core.struct(
  'NodeRuntimeHandlerFeatures',
  'Optional features a runtime handler supports.',
  {
    recursiveReadOnlyMounts: optional(bool, 'Recursive read-only mounts.'),
    userNamespaces: optional(bool, 'User namespaces.'),
  },
);

export const NodeRuntimeHandler = core.struct('NodeRuntimeHandler', 'A runtime handler of the node.', {
  name: optional(str, 'Handler name; empty for the default.'),
  features: optional(NodeRuntimeHandlerFeatures, 'Supported features.'),
});

export const NodeFeatures = core.struct('NodeFeatures', 'Optional features the node supports.', {
  supplementalGroupsPolicy: optional(bool, 'The supplementalGroupsPolicy field of pods.'),
});

export const NodeStatus = core.struct('NodeStatus', 'Observed state of the node, reported by its kubelet.', {
  capacity: optional(mapOf(Quantity), 'Total resources of the node.'),
  allocatable: optional(mapOf(Quantity), 'Resources available to pods; capacity by default.'),
  phase: optional(str, 'Deprecated.'),
  conditions: optional(listOf(NodeCondition), 'Health conditions.'),
  addresses: optional(listOf(NodeAddress), 'Addresses of the node.'),
  daemonEndpoints: always(NodeDaemonEndpoints, 'Daemon ports.'),
  nodeInfo: optional(NodeSystemInfo, 'Identity and software.'),
  images: optional(listOf(ContainerImage), 'Images on the node.'),
  volumesInUse: optional(strings, 'Volumes in use.'),
  volumesAttached: optional(listOf(AttachedVolume), 'Volumes attached.'),
  config: optional(NodeConfigStatus, 'Deprecated.'),
  runtimeHandlers: optional(listOf(NodeRuntimeHandler), 'Runtime handlers available.'),
  features: optional(NodeFeatures, 'Supported features.'),
});
export type NodeStatus = z.infer<typeof NodeStatus>;

export const Node = core.kind(
  { group: '', version: 'v1', kind: 'Node' },
  'A machine in the cluster that runs pods.',
  {
    ...objectFields('Standard object metadata.'),
    spec: always(NodeSpec, 'How the node is set up.'),
    status: always(NodeStatus, 'Observed state, reported by the kubelet.'),
  },
);
export type Node = z.infer<typeof Node>;
