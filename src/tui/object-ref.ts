/** The object a row stands for, as kubectl names it: `kubectl get KIND NAME -n NAMESPACE`. */
export interface ObjectRef {
  /** A kind or resource kubectl knows: "pod", "replicaset", "deployments". */
  readonly kind: string;
  /** Empty for cluster-scoped objects (nodes, namespaces). */
  readonly namespace: string;
  readonly name: string;
}
