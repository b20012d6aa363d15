import { describe, expect, it } from 'vitest';
import { createAs } from '../../apiserver/registry/testing/create.ts';
import {
  deployments,
  namespaces,
  pods,
  replicaSets,
  replicationControllers,
  secrets,
  services,
} from '../resources.ts';
import { fixture } from '../testdata/fixtures.ts';

const defaultedContainer = {
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  resources: {},
};

const defaultedTemplateSpec = {
  dnsPolicy: 'ClusterFirst',
  restartPolicy: 'Always',
  schedulerName: 'default-scheduler',
  securityContext: {},
  terminationGracePeriodSeconds: 30,
};

describe('objects read back as from a real v1.32 cluster right after create', () => {
  it('the pod from the learner notes', () => {
    expect(createAs(pods, fixture('seed-pod'))).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'myapp-pod', labels: { app: 'myapp', type: 'front-end' } },
      spec: {
        containers: [
          { name: 'nginx-container', image: 'nginx', imagePullPolicy: 'Always', ...defaultedContainer },
        ],
        ...defaultedTemplateSpec,
        enableServiceLinks: true,
        preemptionPolicy: 'PreemptLowerPriority',
        priority: 0,
        serviceAccount: 'default',
        serviceAccountName: 'default',
        tolerations: [
          {
            key: 'node.kubernetes.io/not-ready',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 300,
          },
          {
            key: 'node.kubernetes.io/unreachable',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 300,
          },
        ],
      },
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    });
  });

  it('kubectl create deployment (creationTimestamp: null, strategy: {} and status: {} are accepted)', () => {
    expect(createAs(deployments, fixture('kubectl-create-deployment'))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' }, generation: 1 },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'nginx',
                image: 'nginx:1.27',
                imagePullPolicy: 'IfNotPresent',
                ports: [{ containerPort: 80, protocol: 'TCP' }],
                ...defaultedContainer,
              },
            ],
            ...defaultedTemplateSpec,
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status: {},
    });
  });

  it('kubectl create service clusterip', () => {
    expect(createAs(services, fixture('kubectl-create-service'))).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }],
        selector: { app: 'web' },
        type: 'ClusterIP',
        sessionAffinity: 'None',
        internalTrafficPolicy: 'Cluster',
        ipFamilyPolicy: 'SingleStack',
        ipFamilies: ['IPv4'],
      },
      status: { loadBalancer: {} },
    });
  });

  it('a NodePort service: target ports default to the port, and external traffic to Cluster', () => {
    const svc = createAs(services, fixture('web-service'));
    expect(svc.spec.ports).toEqual([
      { name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 },
      { name: 'metrics', protocol: 'TCP', port: 9113, targetPort: 9113 },
    ]);
    expect(svc.spec.externalTrafficPolicy).toBe('Cluster');
  });

  it('a full deployment: probes, env, resources and volumes', () => {
    const d = createAs(deployments, fixture('web-deployment'));
    expect(d.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    expect(d.spec.revisionHistoryLimit).toBe(5);
    const spec = d.spec.template.spec;
    expect(spec.terminationGracePeriodSeconds).toBe(45);
    expect(spec.enableServiceLinks).toBeUndefined();
    expect(spec.serviceAccount).toBe('web');
    const [web, exporter] = spec.containers;
    expect(web?.livenessProbe).toEqual({
      httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' },
      initialDelaySeconds: 10,
      periodSeconds: 20,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(web?.readinessProbe).toMatchObject({
      periodSeconds: 10,
      failureThreshold: 5,
      httpGet: { scheme: 'HTTP' },
    });
    expect(web?.startupProbe).toMatchObject({
      tcpSocket: { port: 'http' },
      periodSeconds: 2,
      timeoutSeconds: 1,
    });
    expect(web?.resources).toEqual({
      requests: { cpu: '250m', memory: '128Mi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
    expect(web?.env?.[0]?.valueFrom?.fieldRef).toEqual({ apiVersion: 'v1', fieldPath: 'metadata.name' });
    expect(web?.env?.[1]?.valueFrom?.resourceFieldRef).toEqual({ resource: 'limits.memory', divisor: '1Mi' });
    expect(web?.ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9113, protocol: 'TCP' },
    ]);
    // Templates do not get requests copied from limits; only real pods do.
    expect(exporter?.resources).toEqual({ limits: { cpu: '100m', memory: '64Mi' } });
    expect(exporter?.imagePullPolicy).toBe('IfNotPresent');
    expect(spec.initContainers?.[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      ...defaultedContainer,
    });
    expect(spec.volumes).toEqual([
      {
        name: 'config',
        configMap: {
          name: 'web-config',
          items: [{ key: 'default.conf', path: 'default.conf' }],
          defaultMode: 420,
        },
      },
      { name: 'cache', emptyDir: { sizeLimit: '512Mi' } },
      { name: 'tls', secret: { secretName: 'web-tls', defaultMode: 256 } },
    ]);
  });

  it('a replication controller takes its selector and labels from the template', () => {
    const rc = createAs(replicationControllers, fixture('seed-replication-controller'));
    expect(rc.spec.selector).toEqual({ app: 'myapp', type: 'front-end' });
    expect(rc.metadata.labels).toEqual({ app: 'myapp', type: 'front-end' });
    expect(rc.status).toEqual({ replicas: 0 });
    expect(rc.metadata.generation).toBe(1);
  });

  it('a replica set keeps its replicas and gets template defaults', () => {
    const rs = createAs(replicaSets, fixture('seed-replicaset'));
    expect(rs.spec.replicas).toBe(3);
    expect(rs.spec.template.spec).toMatchObject(defaultedTemplateSpec);
    expect(rs.status).toEqual({ replicas: 0 });
  });

  it('a namespace is labelled with its name, finalized by kubernetes and Active', () => {
    expect(createAs(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } })).toEqual(
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      },
    );
  });

  it('a secret is Opaque and its stringData is merged into data', () => {
    const s = createAs(secrets, {
      metadata: { name: 'db' },
      data: { user: 'YWRtaW4=' },
      stringData: { password: 's3cret' },
    });
    expect(s).toEqual({
      metadata: { name: 'db' },
      type: 'Opaque',
      data: { user: 'YWRtaW4=', password: 'czNjcmV0' },
    });
  });
});

describe('pod-only defaults', () => {
  const container = (resources: object) => ({ name: 'app', image: 'app:1', resources });

  it('copies limits into missing requests, which makes a pod with limits alone Guaranteed', () => {
    const pod = createAs(pods, {
      metadata: { name: 'p' },
      spec: {
        containers: [container({ limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '0.5' } })],
      },
    });
    expect(pod.spec.containers[0]?.resources.requests).toEqual({ cpu: '500m', memory: '128Mi' });
    expect(pod.status.qosClass).toBe('Guaranteed');
  });

  it('classifies a pod with requests below limits as Burstable', () => {
    const pod = createAs(pods, {
      metadata: { name: 'p' },
      spec: { containers: [container({ limits: { memory: '1Gi' }, requests: { memory: '512Mi' } })] },
    });
    expect(pod.status.qosClass).toBe('Burstable');
  });

  it('mirrors container ports as host ports on the host network', () => {
    const pod = createAs(pods, {
      metadata: { name: 'p' },
      spec: {
        hostNetwork: true,
        containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }],
      },
    });
    expect(pod.spec.containers[0]?.ports).toEqual([{ containerPort: 8080, hostPort: 8080, protocol: 'TCP' }]);
  });

  it('gives a volume without a source an emptyDir, and a hostPath an empty type', () => {
    const pod = createAs(pods, {
      metadata: { name: 'p' },
      spec: {
        volumes: [{ name: 'scratch' }, { name: 'logs', hostPath: { path: '/var/log' } }],
        containers: [container({})],
      },
    });
    expect(pod.spec.volumes).toEqual([
      { name: 'scratch', emptyDir: {} },
      { name: 'logs', hostPath: { path: '/var/log', type: '' } },
    ]);
  });

  it('marks a pod with scheduling gates as gated', () => {
    const pod = createAs(pods, {
      metadata: { name: 'p' },
      spec: { schedulingGates: [{ name: 'example.com/wait' }], containers: [container({})] },
    });
    expect(pod.status.conditions).toEqual([
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        reason: 'SchedulingGated',
        message: 'Scheduling is blocked due to non-empty scheduling gates',
      },
    ]);
  });

  it('picks pull policies from the image reference', () => {
    const policies = [
      'nginx',
      'nginx:latest',
      'nginx:1.27',
      `nginx@sha256:${'a'.repeat(64)}`,
      'localhost:5000/app',
      'Nginx',
    ].map(
      (image) =>
        createAs(pods, { metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image }] } }).spec
          .containers[0]?.imagePullPolicy,
    );
    expect(policies).toEqual(['Always', 'Always', 'IfNotPresent', 'IfNotPresent', 'Always', 'IfNotPresent']);
  });
});
