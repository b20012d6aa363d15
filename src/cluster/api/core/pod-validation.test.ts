import { describe, expect, it } from 'vitest';
import { createAs } from '../../apiserver/registry/testing/create.ts';
import { fieldErrorString } from '../field-error.ts';
import { pods } from '../resources.ts';
import type { Pod } from './pod.ts';
import { validatePod, validatePodUpdate } from './pod-validation.ts';

const text = (pod: Pod, old?: Pod) =>
  (old ? validatePodUpdate(pod, old) : validatePod(pod)).map(fieldErrorString);

/** podWith makes a defaulted pod in namespace default from a partial spec. */
function podWith(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): Pod {
  const pod = createAs(pods, {
    metadata: { name: 'web', ...metadata },
    spec: { containers: [{ name: 'web', image: 'nginx' }], ...spec },
  });
  pod.metadata.namespace = 'default';
  return pod;
}

describe('a valid pod', () => {
  it('has no errors', () => {
    expect(text(podWith({}))).toEqual([]);
  });
});

describe('containers', () => {
  it('needs at least one', () => {
    expect(text(podWith({ containers: [] }))).toEqual(['spec.containers: Required value']);
  });

  it('needs an image and a DNS-label name, unique in the pod', () => {
    const pod = podWith({
      containers: [
        { name: 'web', image: 'nginx' },
        { name: 'web', image: '' },
        { name: 'Side_Car', image: ' nginx' },
      ],
    });
    expect(text(pod)).toEqual([
      'spec.containers[1].image: Required value',
      'spec.containers[1].name: Duplicate value: "web"',
      `spec.containers[2].name: Invalid value: "Side_Car": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      'spec.containers[2].image: Invalid value: " nginx": must not have leading or trailing whitespace',
    ]);
  });

  it('checks port numbers, names, protocols and host port clashes', () => {
    const pod = podWith({
      containers: [
        {
          name: 'web',
          image: 'nginx',
          ports: [
            { name: 'http', containerPort: 70000 },
            { name: 'http', containerPort: 81, protocol: 'HTTP' },
            { containerPort: 82, hostPort: 8080 },
          ],
        },
        { name: 'side', image: 'nginx', ports: [{ containerPort: 83, hostPort: 8080 }] },
      ],
    });
    expect(text(pod)).toEqual([
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[1].name: Duplicate value: "http"',
      'spec.containers[0].ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'spec.containers[1].ports[0].hostPort: Duplicate value: "/TCP/8080"',
    ]);
  });

  it('checks environment variables', () => {
    const pod = podWith({
      containers: [
        {
          name: 'web',
          image: 'nginx',
          env: [
            { name: 'A=B', value: 'x' },
            { name: 'NODE', value: 'x', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            { name: 'BAD', valueFrom: { fieldRef: { fieldPath: 'status.phase' } } },
          ],
        },
      ],
    });
    expect(text(pod)).toEqual([
      `spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
      'spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
      'spec.containers[0].env[2].valueFrom.fieldRef.fieldPath: Unsupported value: "status.phase": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
    ]);
  });

  it('keeps requests within limits and names standard resources', () => {
    const pod = podWith({
      containers: [
        {
          name: 'web',
          image: 'nginx',
          resources: { requests: { cpu: '2', memory: '-1' }, limits: { cpu: '1', cpuu: '1' } },
        },
      ],
    });
    expect(text(pod)).toEqual([
      'spec.containers[0].resources.limits[cpuu]: Invalid value: "cpuu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
      // Pod defaulting copied the limit into the requests, so the bad name is reported twice, as in Kubernetes.
      'spec.containers[0].resources.requests[cpuu]: Invalid value: "cpuu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.requests[memory]: Invalid value: "-1": must be greater than or equal to 0',
    ]);
  });

  it('checks probes', () => {
    const pod = podWith({
      containers: [
        {
          name: 'web',
          image: 'nginx',
          livenessProbe: { httpGet: { port: 0 }, tcpSocket: { port: 'http' }, successThreshold: 2 },
          readinessProbe: { periodSeconds: -1 },
        },
      ],
    });
    expect(text(pod)).toEqual([
      'spec.containers[0].livenessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
      'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
      'spec.containers[0].readinessProbe: Required value: must specify a handler type',
      'spec.containers[0].readinessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });

  it('checks policies', () => {
    const pod = podWith({
      restartPolicy: 'Sometimes',
      dnsPolicy: 'Google',
      containers: [{ name: 'web', image: 'nginx', imagePullPolicy: 'Maybe' }],
    });
    expect(text(pod)).toEqual([
      'spec.containers[0].imagePullPolicy: Unsupported value: "Maybe": supported values: "Always", "IfNotPresent", "Never"',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ]);
  });
});

describe('init and ephemeral containers', () => {
  it('forbids probes on plain init containers and name clashes with app containers', () => {
    const pod = podWith({
      initContainers: [{ name: 'web', image: 'busybox', readinessProbe: { exec: { command: ['true'] } } }],
    });
    expect(text(pod)).toEqual([
      'spec.initContainers[0].name: Duplicate value: "web"',
      'spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers',
    ]);
  });

  it('accepts sidecars (restartPolicy Always) with probes', () => {
    const pod = podWith({
      initContainers: [
        {
          name: 'proxy',
          image: 'envoy',
          restartPolicy: 'Always',
          readinessProbe: { tcpSocket: { port: 15000 } },
        },
      ],
    });
    expect(text(pod)).toEqual([]);
  });

  it('refuses ephemeral containers on create', () => {
    expect(text(podWith({ ephemeralContainers: [{ name: 'debug', image: 'busybox' }] }))).toEqual([
      'spec.ephemeralContainers: Forbidden: cannot be set on create',
    ]);
  });
});

describe('volumes and mounts', () => {
  it('matches mounts to valid volumes', () => {
    const pod = podWith({
      volumes: [
        { name: 'data', emptyDir: {}, hostPath: { path: '/data' } },
        { name: 'Cfg', configMap: { name: 'cfg' } },
      ],
      containers: [
        {
          name: 'web',
          image: 'nginx',
          volumeMounts: [
            { name: 'data', mountPath: '/data' },
            { name: 'logs', mountPath: '/data' },
          ],
        },
      ],
    });
    expect(text(pod)).toEqual([
      'spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type',
      `spec.volumes[1].name: Invalid value: "Cfg": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      'spec.containers[0].volumeMounts[0].name: Not found: "data"',
      'spec.containers[0].volumeMounts[1].name: Not found: "logs"',
      'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique',
    ]);
  });

  it('checks projected file paths and modes', () => {
    const pod = podWith({
      volumes: [
        { name: 'cfg', configMap: { name: 'cfg', defaultMode: 1024, items: [{ key: 'a', path: '../a' }] } },
      ],
    });
    expect(text(pod)).toEqual([
      'spec.volumes[0].configMap.defaultMode: Invalid value: 1024: must be a number between 0 and 0777 (octal), both inclusive',
      'spec.volumes[0].configMap.items[0].path: Invalid value: "../a": must not contain \'..\'',
    ]);
  });
});

describe('scheduling fields', () => {
  it('checks tolerations, affinity and spread constraints', () => {
    const pod = podWith({
      tolerations: [
        { operator: 'Equal', value: 'x' },
        { key: 'k', operator: 'Exists', value: 'v' },
        { key: 'k', effect: 'NoSchedule', tolerationSeconds: 5 },
      ],
      affinity: {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } },
      },
      topologySpreadConstraints: [{ maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'Maybe' }],
    });
    expect(text(pod)).toEqual([
      'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term',
      'spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero',
      'spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"',
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      'spec.tolerations[1].operator: Invalid value: core.Toleration{Key:"k", Operator:"Exists", Value:"v", Effect:"", TolerationSeconds:(*int64)(nil)}: value must be empty when `operator` is \'Exists\'',
      'spec.tolerations[2].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set',
    ]);
  });
});

describe('updates', () => {
  const old = podWith({ activeDeadlineSeconds: 60 }, { resourceVersion: '1' });

  it('allow a new image, an added toleration and a shorter deadline', () => {
    const pod = structuredClone(old);
    pod.spec.containers[0]!.image = 'nginx:1.27';
    pod.spec.activeDeadlineSeconds = 30;
    pod.spec.tolerations = [...(pod.spec.tolerations ?? []), { key: 'x', operator: 'Exists' }];
    expect(text(pod, old)).toEqual([]);
  });

  it('forbid everything else, and say what changed', () => {
    const pod = structuredClone(old);
    pod.spec.containers[0]!.command = ['sh'];
    const [err] = text(pod, old);
    expect(err).toBe(
      'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n- spec.containers[0].command: null\n+ spec.containers[0].command: ["sh"]',
    );
  });

  it('forbid adding containers, longer deadlines and changed tolerations', () => {
    const added = structuredClone(old);
    added.spec.containers.push({ ...structuredClone(old.spec.containers[0]!), name: 'b' });
    expect(text(added, old)).toEqual([
      'spec.containers: Forbidden: pod updates may not add or remove containers',
    ]);
    const longer = structuredClone(old);
    longer.spec.activeDeadlineSeconds = 120;
    expect(text(longer, old)).toEqual([
      'spec.activeDeadlineSeconds: Invalid value: 120: must be less than or equal to previous value',
    ]);
    const changed = structuredClone(old);
    changed.spec.tolerations![0]!.key = 'other';
    expect(text(changed, old)[0]).toBe(
      'spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds',
    );
  });
});
