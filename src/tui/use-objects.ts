import { useEffect, useState } from 'react';
import type { KubeObject } from '../cluster/api/meta.ts';
import type { ResourceType } from '../cluster/api/resources.ts';
import { useLab } from './context.ts';

/** How long events gather before the list is handed to React: at most 10 redraws a second. */
export const REDRAW_INTERVAL_MS = 100;

/**
 * useObjects is the informer's cache of a resource as React state. Events within REDRAW_INTERVAL_MS
 * of the first one are folded into one update, so 100 events a second cost 10 renders, and none
 * waits longer than that interval.
 */
export function useObjects<T extends KubeObject>(type: ResourceType<T>): readonly T[] {
  const lab = useLab();
  const [items, setItems] = useState<readonly T[]>([]);
  useEffect(() => {
    const informer = lab.informer(type);
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      setItems(informer.store.list());
    };
    const changed = () => {
      timer ??= setTimeout(flush, REDRAW_INTERVAL_MS);
    };
    const registration = informer.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
    flush();
    return () => {
      registration.remove();
      if (timer) clearTimeout(timer);
    };
  }, [lab, type]);
  return items;
}
