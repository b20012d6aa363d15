/** core/v1 Container and everything a container carries: ports, env, resources, probes, security. */
import type { z } from 'zod';
import {
  always,
  apiPackage,
  bool,
  IntOrString,
  int32,
  int64,
  listOf,
  mapOf,
  optional,
  Quantity,
  required,
  str,
  strings,
} from '../schema.ts';

const core = apiPackage('io.k8s.api.core.v1');

export const ContainerPort = core.struct('ContainerPort', 'A network port a container listens on.', {
  name: optional(
    str,
    'IANA service name for the port (e.g. http), unique within the pod; services can target it.',
  ),
  hostPort: optional(int32, 'Port to open on the node and forward to this one; rarely needed.'),
  containerPort: required(int32, 'Port number the container listens on, 1-65535.'),
  protocol: optional(str, 'TCP (default), UDP or SCTP.'),
  hostIP: optional(str, 'Node address to bind the host port to.'),
});
export type ContainerPort = z.infer<typeof ContainerPort>;

export const ConfigMapEnvSource = core.struct(
  'ConfigMapEnvSource',
  'A ConfigMap whose keys all become environment variables.',
  {
    name: optional(str, 'Name of the ConfigMap.'),
    optional: optional(bool, 'Start the container even if the ConfigMap is missing.'),
  },
);

export const SecretEnvSource = core.struct(
  'SecretEnvSource',
  'A Secret whose keys all become environment variables.',
  {
    name: optional(str, 'Name of the Secret.'),
    optional: optional(bool, 'Start the container even if the Secret is missing.'),
  },
);

export const EnvFromSource = core.struct('EnvFromSource', 'A source of many environment variables at once.', {
  prefix: optional(str, 'Text put in front of every variable name from this source.'),
  configMapRef: optional(ConfigMapEnvSource, 'The ConfigMap to read.'),
  secretRef: optional(SecretEnvSource, 'The Secret to read.'),
});
export type EnvFromSource = z.infer<typeof EnvFromSource>;

export const ObjectFieldSelector = core.struct(
  'ObjectFieldSelector',
  'Selects a field of the pod (downward API).',
  {
    apiVersion: optional(str, 'Version the field path is written against; v1 by default.'),
    fieldPath: required(str, 'Path of the field, e.g. metadata.name or status.podIP.'),
  },
);
export type ObjectFieldSelector = z.infer<typeof ObjectFieldSelector>;

export const ResourceFieldSelector = core.struct(
  'ResourceFieldSelector',
  "Selects a container's resource request or limit (downward API).",
  {
    containerName: optional(str, 'Container to read; required in volumes, optional in env.'),
    resource: required(str, 'e.g. limits.cpu or requests.memory.'),
    divisor: optional(Quantity, 'Unit to express the value in, e.g. 1m or 1Mi; 1 by default.'),
  },
);
export type ResourceFieldSelector = z.infer<typeof ResourceFieldSelector>;

export const ConfigMapKeySelector = core.struct('ConfigMapKeySelector', 'One key of a ConfigMap.', {
  name: optional(str, 'Name of the ConfigMap.'),
  key: required(str, 'The key to read.'),
  optional: optional(bool, 'Tolerate a missing ConfigMap or key.'),
});

export const SecretKeySelector = core.struct('SecretKeySelector', 'One key of a Secret.', {
  name: optional(str, 'Name of the Secret.'),
  key: required(str, 'The key to read.'),
  optional: optional(bool, 'Tolerate a missing Secret or key.'),
});

export const EnvVarSource = core.struct(
  'EnvVarSource',
  'Where an environment variable takes its value from.',
  {
    fieldRef: optional(ObjectFieldSelector, 'A field of the pod.'),
    resourceFieldRef: optional(ResourceFieldSelector, 'A resource request or limit of a container.'),
    configMapKeyRef: optional(ConfigMapKeySelector, 'A key of a ConfigMap.'),
    secretKeyRef: optional(SecretKeySelector, 'A key of a Secret.'),
  },
);

export const EnvVar = core.struct('EnvVar', 'An environment variable set in the container.', {
  name: required(str, 'Variable name.'),
  value: optional(str, 'Literal value; $(OTHER) expands earlier variables.'),
  valueFrom: optional(EnvVarSource, 'Take the value from elsewhere; not allowed together with value.'),
});
export type EnvVar = z.infer<typeof EnvVar>;

export const ResourceClaim = core.struct(
  'ResourceClaim',
  'Use of one of the pod resource claims by a container.',
  {
    name: required(str, 'Name of an entry in the pod spec.resourceClaims.'),
    request: optional(str, 'Only this request of the claim.'),
  },
);

export const ResourceRequirements = core.struct(
  'ResourceRequirements',
  'Compute resources a container asks for (requests, used for scheduling) and may not exceed (limits).',
  {
    limits: optional(mapOf(Quantity), 'Hard caps, e.g. {cpu: 500m, memory: 256Mi}.'),
    requests: optional(
      mapOf(Quantity),
      'Amounts reserved on the node; the scheduler places pods by these. Default to the limits.',
    ),
    claims: optional(listOf(ResourceClaim), 'Dynamic resource claims the container uses.'),
  },
);
export type ResourceRequirements = z.infer<typeof ResourceRequirements>;

export const ContainerResizePolicy = core.struct(
  'ContainerResizePolicy',
  'How a container reacts when one of its resources is resized in place.',
  {
    resourceName: required(str, 'cpu or memory.'),
    restartPolicy: required(str, 'NotRequired or RestartContainer.'),
  },
);

export const VolumeMount = core.struct('VolumeMount', 'Where a pod volume appears inside the container.', {
  name: required(str, 'Name of a volume in the pod spec.'),
  readOnly: optional(bool, 'Mount read-only.'),
  recursiveReadOnly: optional(str, 'Disabled, IfPossible or Enabled: make submounts read-only too.'),
  mountPath: required(str, 'Path in the container; must not contain a colon.'),
  subPath: optional(str, 'Mount only this path inside the volume.'),
  mountPropagation: optional(str, 'None, HostToContainer or Bidirectional.'),
  subPathExpr: optional(str, 'Like subPath, with $(VAR) expanded from the environment.'),
});
export type VolumeMount = z.infer<typeof VolumeMount>;

export const VolumeDevice = core.struct('VolumeDevice', 'A raw block volume exposed as a device file.', {
  name: required(str, 'Name of a persistentVolumeClaim volume in the pod.'),
  devicePath: required(str, 'Path of the device inside the container.'),
});

export const ExecAction = core.struct(
  'ExecAction',
  'Runs a command in the container; exit code 0 is success.',
  {
    command: optional(strings, 'Command and arguments, run directly without a shell.'),
  },
);

export const HTTPHeader = core.struct('HTTPHeader', 'A header sent with an HTTP probe.', {
  name: required(str, 'Header name.'),
  value: required(str, 'Header value.'),
});

export const HTTPGetAction = core.struct(
  'HTTPGetAction',
  'An HTTP GET against the container; a 2xx or 3xx answer is success.',
  {
    path: optional(str, 'Path to request; / by default.'),
    port: required(IntOrString, 'Port number or port name to connect to.'),
    host: optional(str, 'Host to connect to; the pod IP by default.'),
    scheme: optional(str, 'HTTP (default) or HTTPS.'),
    httpHeaders: optional(listOf(HTTPHeader), 'Extra request headers.'),
  },
);

export const TCPSocketAction = core.struct(
  'TCPSocketAction',
  'Opens a TCP connection; connecting is success.',
  {
    port: required(IntOrString, 'Port number or port name to connect to.'),
    host: optional(str, 'Host to connect to; the pod IP by default.'),
  },
);

export const GRPCAction = core.struct('GRPCAction', 'Calls the gRPC health checking service.', {
  port: required(int32, 'Port number of the gRPC service.'),
  service: optional(str, 'Service name sent in the health check request; empty by default.'),
});

export const SleepAction = core.struct('SleepAction', 'Pauses for a while (a lifecycle hook).', {
  seconds: required(int64, 'Seconds to sleep.'),
});

export const LifecycleHandler = core.struct(
  'LifecycleHandler',
  'The action a lifecycle hook runs; exactly one.',
  {
    exec: optional(ExecAction, 'Run a command.'),
    httpGet: optional(HTTPGetAction, 'Send an HTTP GET.'),
    tcpSocket: optional(TCPSocketAction, 'Deprecated: kept for compatibility, not run.'),
    sleep: optional(SleepAction, 'Sleep for a while.'),
  },
);
export type LifecycleHandler = z.infer<typeof LifecycleHandler>;

export const Lifecycle = core.struct(
  'Lifecycle',
  'Hooks run when the container starts and before it stops.',
  {
    postStart: optional(LifecycleHandler, 'Runs right after the container starts; failure restarts it.'),
    preStop: optional(LifecycleHandler, 'Runs before the container is stopped, within the grace period.'),
  },
);
export type Lifecycle = z.infer<typeof Lifecycle>;

export const Probe = core.struct(
  'Probe',
  'A periodic health check of a container; exactly one of exec, httpGet, tcpSocket or grpc.',
  {
    exec: optional(ExecAction, 'Run a command.'),
    httpGet: optional(HTTPGetAction, 'Send an HTTP GET.'),
    tcpSocket: optional(TCPSocketAction, 'Open a TCP connection.'),
    grpc: optional(GRPCAction, 'Call the gRPC health service.'),
    initialDelaySeconds: optional(int32, 'Seconds after the container starts before the first check.'),
    timeoutSeconds: optional(int32, 'Seconds before a check times out; 1 by default.'),
    periodSeconds: optional(int32, 'Seconds between checks; 10 by default.'),
    successThreshold: optional(
      int32,
      'Consecutive successes to count as passing after a failure; 1 by default.',
    ),
    failureThreshold: optional(int32, 'Consecutive failures to count as failing; 3 by default.'),
    terminationGracePeriodSeconds: optional(
      int64,
      'Grace period used when this probe kills the container, overriding the pod value.',
    ),
  },
);
export type Probe = z.infer<typeof Probe>;

export const Capabilities = core.struct(
  'Capabilities',
  'Linux capabilities to add to or drop from the default set.',
  {
    add: optional(strings, 'Capabilities to add, e.g. NET_ADMIN.'),
    drop: optional(strings, 'Capabilities to drop, e.g. ALL.'),
  },
);

export const SELinuxOptions = core.struct('SELinuxOptions', 'SELinux labels for the container.', {
  user: optional(str, 'SELinux user label.'),
  role: optional(str, 'SELinux role label.'),
  type: optional(str, 'SELinux type label.'),
  level: optional(str, 'SELinux level label.'),
});

export const WindowsSecurityContextOptions = core.struct(
  'WindowsSecurityContextOptions',
  'Security settings that apply only on Windows nodes.',
  {
    gmsaCredentialSpecName: optional(str, 'Name of the GMSA credential spec to use.'),
    gmsaCredentialSpec: optional(str, 'Inline GMSA credential spec.'),
    runAsUserName: optional(str, 'Windows user to run the entrypoint as.'),
    hostProcess: optional(bool, 'Run as a host process container.'),
  },
);

export const SeccompProfile = core.struct('SeccompProfile', 'The seccomp system-call filter to apply.', {
  type: required(str, 'RuntimeDefault, Unconfined or Localhost.'),
  localhostProfile: optional(str, 'Profile file on the node, for type Localhost.'),
});

export const AppArmorProfile = core.struct('AppArmorProfile', 'The AppArmor profile to apply.', {
  type: required(str, 'RuntimeDefault, Unconfined or Localhost.'),
  localhostProfile: optional(str, 'Profile loaded on the node, for type Localhost.'),
});

export const SecurityContext = core.struct(
  'SecurityContext',
  'Privilege and access settings of one container; they override the pod-level ones.',
  {
    capabilities: optional(Capabilities, 'Capabilities to add or drop.'),
    privileged: optional(bool, 'Run with nearly all the powers of root on the host.'),
    seLinuxOptions: optional(SELinuxOptions, 'SELinux labels.'),
    windowsOptions: optional(WindowsSecurityContextOptions, 'Windows-only settings.'),
    runAsUser: optional(int64, 'UID to run the entrypoint as.'),
    runAsGroup: optional(int64, 'GID to run the entrypoint as.'),
    runAsNonRoot: optional(bool, 'Refuse to start the container if it would run as UID 0.'),
    readOnlyRootFilesystem: optional(bool, 'Mount the root filesystem read-only.'),
    allowPrivilegeEscalation: optional(bool, 'Whether a process may gain more privileges than its parent.'),
    procMount: optional(str, 'Default or Unmasked view of /proc.'),
    seccompProfile: optional(SeccompProfile, 'Seccomp filter.'),
    appArmorProfile: optional(AppArmorProfile, 'AppArmor profile.'),
  },
);
export type SecurityContext = z.infer<typeof SecurityContext>;

const containerFields = {
  name: required(str, 'Name of the container, a DNS label unique within the pod.'),
  image: optional(str, 'Image to run, e.g. nginx:1.27 or registry.example.com/app@sha256:...'),
  command: optional(strings, "Entrypoint; replaces the image's ENTRYPOINT. $(VAR) expands."),
  args: optional(strings, "Arguments to the entrypoint; replace the image's CMD. $(VAR) expands."),
  workingDir: optional(str, "Working directory; the image's by default."),
  ports: optional(
    listOf(ContainerPort),
    'Ports the container listens on; informational, except named ports.',
  ),
  envFrom: optional(listOf(EnvFromSource), 'Sources that each provide many environment variables.'),
  env: optional(listOf(EnvVar), 'Environment variables; these win over envFrom.'),
  resources: always(ResourceRequirements, 'CPU and memory requests and limits.'),
  resizePolicy: optional(listOf(ContainerResizePolicy), 'How the container reacts to an in-place resize.'),
  restartPolicy: optional(
    str,
    'Only for init containers: Always makes it a sidecar that keeps running next to the app containers.',
  ),
  volumeMounts: optional(listOf(VolumeMount), 'Pod volumes to mount into the filesystem.'),
  volumeDevices: optional(listOf(VolumeDevice), 'Block volumes to expose as devices.'),
  livenessProbe: optional(Probe, 'Restart the container when this check fails.'),
  readinessProbe: optional(Probe, 'Take the pod out of service endpoints while this check fails.'),
  startupProbe: optional(Probe, 'Hold the other probes until this check has passed once.'),
  lifecycle: optional(Lifecycle, 'Hooks run after start and before stop.'),
  terminationMessagePath: optional(
    str,
    'File whose content becomes the termination message; /dev/termination-log.',
  ),
  terminationMessagePolicy: optional(
    str,
    'File (default) or FallbackToLogsOnError to use the log tail when the file is empty.',
  ),
  imagePullPolicy: optional(str, 'Always, Never or IfNotPresent; Always for :latest or untagged images.'),
  securityContext: optional(SecurityContext, 'Privilege and access settings.'),
  stdin: optional(bool, 'Keep a stdin buffer open for attach.'),
  stdinOnce: optional(bool, 'Close stdin after the first attach session ends.'),
  tty: optional(bool, 'Allocate a terminal; needs stdin.'),
};

export const Container = core.struct(
  'Container',
  'One application container to run in a pod.',
  containerFields,
);
export type Container = z.infer<typeof Container>;

export const EphemeralContainer = core.struct(
  'EphemeralContainer',
  'A temporary container added to a running pod for debugging (kubectl debug). No ports, probes or resources.',
  {
    ...containerFields,
    targetContainerName: optional(str, 'Container whose process namespace this one joins.'),
  },
);
export type EphemeralContainer = z.infer<typeof EphemeralContainer>;
