/**
 * metrics.k8s.io/v1beta1 (k8s.io/metrics/pkg/apis/metrics/v1beta1): the resource usage
 * `kubectl top` reads. The objects are never written by clients, only computed from what the
 * kubelets report, so they have no schema to parse input with.
 */
import type { ObjectMeta } from '../meta.ts';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';

/** Usage by resource name: cpu in cores (e.g. "250m"), memory in bytes (e.g. "64Mi"). */
export interface ResourceList {
  readonly cpu: string;
  readonly memory: string;
}

/** NodeMetrics: a node's usage, averaged over `window` for CPU, as sampled at `timestamp`. */
export interface NodeMetrics {
  readonly kind: 'NodeMetrics';
  readonly apiVersion: 'metrics.k8s.io/v1beta1';
  readonly metadata: ObjectMeta;
  readonly timestamp: string;
  /** A Go duration: "15.012s". */
  readonly window: string;
  readonly usage: ResourceList;
}

export interface ContainerMetrics {
  readonly name: string;
  readonly usage: ResourceList;
}

/** PodMetrics: the usage of each of a pod's containers. */
export interface PodMetrics {
  readonly kind: 'PodMetrics';
  readonly apiVersion: 'metrics.k8s.io/v1beta1';
  readonly metadata: ObjectMeta;
  readonly timestamp: string;
  readonly window: string;
  readonly containers: readonly ContainerMetrics[];
}
