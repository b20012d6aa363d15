/**
 * ControllerManager is kube-controller-manager's counterpart: it builds every controller on one
 * SharedInformerFactory (one watch per resource, however many controllers read it) and runs them
 * until stopped. Each controller writes with a client of its own, signed in as the kube-system
 * service account of its name, so RBAC gives it exactly its system:controller:<name> role, as
 * kube-controller-manager does with --use-service-account-credentials.
 */

import type { RestClient } from '../client/rest-client.ts';
import type { SharedInformerFactory } from '../client/shared-informer.ts';
import type { Clock } from '../clock/clock.ts';
import { DeploymentController } from './deployment/deployment-controller.ts';
import { EndpointsController } from './endpoints.ts';
import { EndpointSliceController } from './endpointslice.ts';
import { GarbageCollector } from './garbagecollector.ts';
import { JobController } from './job.ts';
import { NamespaceController } from './namespace.ts';
import { NodeLifecycleController, type NodeLifecycleOptions } from './nodelifecycle.ts';
import { PerNamespaceController } from './per-namespace.ts';
import { PodGCController, type PodGCOptions } from './podgc.ts';
import { ReplicaSetController, replicaSetKind } from './replicaset.ts';
import { replicationControllerKind } from './replication.ts';
import { rootCACertConfigMap } from './rootcacertpublisher.ts';
import { ServiceLBController, type ServiceLBControllerOptions } from './service-lb.ts';
import { defaultServiceAccount } from './serviceaccounts.ts';
import { TaintEvictionController } from './tainteviction.ts';

/** The service account (in kube-system) each controller acts as; RBAC binds its role to it. */
export const ControllerServiceAccounts = [
  'deployment-controller',
  'endpoint-controller',
  'endpointslice-controller',
  'replicaset-controller',
  'replication-controller',
  'generic-garbage-collector',
  'job-controller',
  'namespace-controller',
  'node-controller',
  'pod-garbage-collector',
  'root-ca-cert-publisher',
  'service-account-controller',
  'service-controller',
  'taint-eviction-controller',
] as const;
export type ControllerServiceAccount = (typeof ControllerServiceAccounts)[number];

export interface ControllerManagerOptions {
  readonly nodeLifecycle?: Omit<NodeLifecycleOptions, 'clock' | 'onError'>;
  readonly podGC?: Omit<PodGCOptions, 'clock' | 'onError'>;
  /** The lab's load balancer: the pool LoadBalancer Services get their external IP from. */
  readonly serviceLB?: Omit<ServiceLBControllerOptions, 'clock' | 'onError'>;
  /** The cluster CA the root-ca-cert-publisher puts in every namespace; that controller is off without it. */
  readonly rootCACertificate?: string;
  /** Namespace deletion retries this often while content remains (pods shutting down). */
  readonly namespaceRecheckMs?: number;
  readonly clock?: Clock;
  readonly onError?: (err: unknown) => void;
}

interface Runnable {
  run(workers: number, signal: AbortSignal): Promise<void>;
}

export class ControllerManager {
  private readonly controllers: {
    readonly name: string;
    readonly workers: number;
    readonly controller: Runnable;
  }[];

  constructor(
    private readonly informers: SharedInformerFactory,
    clientFor: (serviceAccount: ControllerServiceAccount) => RestClient,
    options: ControllerManagerOptions = {},
  ) {
    const { clock, onError } = options;
    const common = { clock, onError };
    // Worker counts are kube-controller-manager's --concurrent-* defaults.
    this.controllers = [
      {
        name: 'deployment',
        workers: 5,
        controller: new DeploymentController(informers, clientFor('deployment-controller'), common),
      },
      {
        name: 'replicaset',
        workers: 5,
        controller: new ReplicaSetController(
          informers,
          clientFor('replicaset-controller'),
          replicaSetKind,
          common,
        ),
      },
      {
        name: 'replicationcontroller',
        workers: 5,
        controller: new ReplicaSetController(
          informers,
          clientFor('replication-controller'),
          replicationControllerKind,
          common,
        ),
      },
      {
        name: 'job',
        workers: 5,
        controller: new JobController(informers, clientFor('job-controller'), common),
      },
      {
        name: 'endpoint',
        workers: 5,
        controller: new EndpointsController(informers, clientFor('endpoint-controller'), common),
      },
      {
        name: 'endpointslice',
        workers: 5,
        controller: new EndpointSliceController(informers, clientFor('endpointslice-controller'), common),
      },
      {
        name: 'garbagecollector',
        workers: 20,
        controller: new GarbageCollector(informers, clientFor('generic-garbage-collector'), common),
      },
      {
        name: 'namespace',
        workers: 10,
        controller: new NamespaceController(informers, clientFor('namespace-controller'), {
          ...common,
          recheckMs: options.namespaceRecheckMs,
        }),
      },
      {
        name: 'nodelifecycle',
        workers: 1,
        controller: new NodeLifecycleController(informers, clientFor('node-controller'), {
          ...common,
          ...options.nodeLifecycle,
        }),
      },
      {
        name: 'taint-eviction-controller',
        workers: 8,
        controller: new TaintEvictionController(informers, clientFor('taint-eviction-controller'), common),
      },
      {
        name: 'serviceaccount',
        workers: 1,
        controller: new PerNamespaceController(
          informers,
          clientFor('service-account-controller'),
          defaultServiceAccount,
          common,
        ),
      },
      ...(options.rootCACertificate
        ? [
            {
              name: 'root-ca-cert-publisher',
              workers: 1,
              controller: new PerNamespaceController(
                informers,
                clientFor('root-ca-cert-publisher'),
                rootCACertConfigMap(options.rootCACertificate),
                common,
              ),
            },
          ]
        : []),
      {
        name: 'service-lb-controller',
        workers: 1,
        controller: new ServiceLBController(informers, clientFor('service-controller'), {
          ...common,
          ...options.serviceLB,
        }),
      },
      {
        name: 'podgc',
        workers: 1,
        controller: new PodGCController(informers, clientFor('pod-garbage-collector'), {
          ...common,
          ...options.podGC,
        }),
      },
    ];
  }

  /** Starts the informers and every controller; resolves when `signal` has stopped them all. */
  async run(signal: AbortSignal): Promise<void> {
    this.informers.start(signal);
    await Promise.all(this.controllers.map(({ controller, workers }) => controller.run(workers, signal)));
    await this.informers.shutdown();
  }
}
