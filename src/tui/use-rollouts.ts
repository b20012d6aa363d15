import { useEffect, useRef, useState } from 'react';
import { deployments, replicaSets } from '../cluster/api/resources.ts';
import { type Rollout, sampleRollouts } from './rollout-samples.ts';
import { useObjects } from './use-objects.ts';

/** A sample a second while something rolls. */
const SAMPLE_MS = 1000;
/** How long a finished rollout's chart stays on screen. */
const LINGER_MS = 30_000;

/** useRollouts follows the deployments and replica sets, sampling each rollout once a second. */
export function useRollouts(): readonly Rollout[] {
  const allDeployments = useObjects(deployments);
  const allSets = useObjects(replicaSets);
  const latest = useRef({ allDeployments, allSets });
  latest.current = { allDeployments, allSets };
  const [rollouts, setRollouts] = useState<ReadonlyMap<string, Rollout>>(new Map());
  useEffect(() => {
    const sample = () =>
      setRollouts((previous) => {
        const next = sampleRollouts(
          previous,
          latest.current.allDeployments,
          latest.current.allSets,
          Date.now(),
          LINGER_MS,
        );
        // Nothing rolling and nothing shown: keep the same map, so nothing redraws.
        return next.size === 0 && previous.size === 0 ? previous : next;
      });
    sample();
    const timer = setInterval(sample, SAMPLE_MS);
    return () => clearInterval(timer);
  }, []);
  return [...rollouts.values()];
}
