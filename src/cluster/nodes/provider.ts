import type { RestClient } from '../client/rest-client.ts';
import type { ClusterPki } from '../pki/pki.ts';
import type { ContainerRuntime, NodeCapacity, NodeTaint } from './config.ts';

/** What a new node is given; what is left out takes node.json's defaults. */
export interface NodeSpec {
  readonly name: string;
  readonly capacity?: Partial<NodeCapacity>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly taints?: readonly NodeTaint[];
  /** lab unless given. */
  readonly containerRuntime?: ContainerRuntime;
}

/** A node as its provider sees it: the machine, not the API's Node object. */
export interface NodeMachine {
  readonly name: string;
  readonly state: 'running' | 'stopped';
  /** The agent's process id, on the host or in its container, while it runs. */
  readonly pid?: number;
  readonly nodeIP: string;
  readonly podCIDR: string;
}

/** How a provider reaches the cluster: adding, starting and removing nodes need it. */
export interface ClusterAccess {
  /** The API server as nodes reach it. */
  readonly apiServer: string;
  /** The cluster CA, which issues each node's credentials. */
  readonly pki: ClusterPki;
  /** An admin client, for the Node objects. */
  readonly client: RestClient;
}

/**
 * NodeProvider makes and runs the machines nodes live on, as kind's providers do with
 * containers: the process provider runs each node agent as a host process, the Docker provider
 * (a later stage) the same agent in a container. What happens inside (kubelet, runtime) is the
 * agent's business, the same for every provider.
 */
export interface NodeProvider {
  /** Checks that nodes can run here, throwing with the fix when they cannot. */
  preflight(): Promise<void>;
  /** Creates the node's folder: node.json and its credentials. It does not start it. */
  add(spec: NodeSpec): Promise<NodeMachine>;
  /** Starts the node agent; a running node is left alone. */
  start(name: string): Promise<NodeMachine>;
  /** Asks the agent to stop (SIGTERM) and waits until it has. */
  stop(name: string): Promise<void>;
  /** Kills the agent at once (SIGKILL), as a machine failure would. */
  kill(name: string): Promise<void>;
  /** Stops the node, deletes its Node object and its folder. */
  remove(name: string): Promise<void>;
  list(): Promise<NodeMachine[]>;
}
