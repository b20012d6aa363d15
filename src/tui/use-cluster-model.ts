import { useEffect, useState } from 'react';
import { nodes as nodeType, pods as podType } from '../cluster/api/resources.ts';
import { type ClusterModel, clusterModel } from './cluster-model.ts';
import { useLab } from './context.ts';
import { REDRAW_INTERVAL_MS } from './use-objects.ts';

const EMPTY: ClusterModel = { nodes: [], tray: [], order: [] };

/** What the map draws of a model: a change elsewhere in the objects (an annotation) does not show. */
const drawn = (m: ClusterModel) =>
  JSON.stringify([m.nodes.map((n) => [n.node.metadata?.name, n.status, n.usage, n.pods]), m.tray]);

/**
 * useClusterModel is the cluster map's model from the node and pod informers, rebuilt at most
 * every REDRAW_INTERVAL_MS, and handed to React only when what the map draws changed: a stream of
 * pod updates the map cannot show (labels, annotations, heartbeats) costs no render at all.
 */
export function useClusterModel(filter: string): ClusterModel {
  const lab = useLab();
  const [model, setModel] = useState(EMPTY);
  useEffect(() => {
    const nodes = lab.informer(nodeType);
    const pods = lab.informer(podType);
    let timer: NodeJS.Timeout | undefined;
    let last = '';
    const rebuild = () => {
      timer = undefined;
      const next = clusterModel(nodes.store.list(), pods.store.list(), filter);
      const key = drawn(next);
      if (key === last) return;
      last = key;
      setModel(next);
    };
    const changed = () => {
      timer ??= setTimeout(rebuild, REDRAW_INTERVAL_MS);
    };
    const handlers = { onAdd: changed, onUpdate: changed, onDelete: changed };
    const registrations = [nodes.addEventHandler(handlers), pods.addEventHandler(handlers)];
    rebuild();
    return () => {
      for (const r of registrations) r.remove();
      if (timer) clearTimeout(timer);
    };
  }, [lab, filter]);
  return model;
}
