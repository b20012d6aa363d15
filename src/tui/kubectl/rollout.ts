import type { Deployment } from '../../cluster/api/apps/deployment.ts';
import type { ReplicaSet } from '../../cluster/api/apps/replica-set.ts';
import { formatLabelSelector } from '../../cluster/api/labels.ts';
import { deployments, replicaSets } from '../../cluster/api/resources.ts';
import {
  annotationsToSkip,
  DefaultDeploymentUniqueLabelKey,
  equalIgnoreHash,
  RevisionAnnotation,
  revisionOf,
  TimedOutReason,
} from '../../cluster/controllers/deployment/util.ts';
import { flag, type KubectlArgs } from './args.ts';
import type { KubectlContext } from './context.ts';
import { KubectlError, objectName, resourceArgs } from './resource-names.ts';
import { alignColumns } from './table-printer.ts';

const CHANGE_CAUSE = 'kubernetes.io/change-cause';

/** The one deployment a rollout subcommand names (deployment/web or deployment web). */
function deploymentArg(args: KubectlArgs): string {
  const [target] = resourceArgs(args.words.slice(2));
  if (!target || target.type !== deployments || target.names.length !== 1) {
    throw new KubectlError(
      'the built-in kubectl rolls out one deployment: rollout <subcommand> deployment/NAME',
    );
  }
  return target.names[0]!;
}

/** The replica sets the deployment controls, by its selector and their controller reference. */
async function ownedReplicaSets(ctx: KubectlContext, d: Deployment): Promise<ReplicaSet[]> {
  const list = await ctx.client
    .resource(replicaSets, ctx.namespace)
    .list({ labelSelector: formatLabelSelector(d.spec.selector), signal: ctx.signal });
  return list.items.filter((rs) =>
    rs.metadata.ownerReferences?.some((o) => o.controller && o.uid === d.metadata.uid),
  );
}

/**
 * The line kubectl's DeploymentStatusViewer prints for a deployment, and whether the rollout is
 * done; a deployment past its progress deadline is an error.
 */
export function rolloutStatus(d: Deployment): { message: string; done: boolean } {
  const name = d.metadata.name;
  const status = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return { message: 'Waiting for deployment spec update to be observed...\n', done: false };
  }
  if (status.conditions?.some((c) => c.type === 'Progressing' && c.reason === TimedOutReason)) {
    throw new KubectlError(`deployment "${name}" exceeded its progress deadline`);
  }
  const wanted = d.spec.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const waiting = (what: string) => ({
    message: `Waiting for deployment "${name}" rollout to finish: ${what}...\n`,
    done: false,
  });
  if (updated < wanted) return waiting(`${updated} out of ${wanted} new replicas have been updated`);
  if ((status.replicas ?? 0) > updated) {
    return waiting(`${(status.replicas ?? 0) - updated} old replicas are pending termination`);
  }
  if ((status.availableReplicas ?? 0) < updated) {
    return waiting(`${status.availableReplicas ?? 0} of ${updated} updated replicas are available`);
  }
  return { message: `deployment "${name}" successfully rolled out\n`, done: true };
}

/** "2m", "30s", "1h" (Go durations as kubectl's --timeout takes them) in milliseconds; 0 waits forever. */
function durationMs(text: string | undefined): number {
  if (!text || text === '0') return 0;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(n) * units[unit!]!;
  return total;
}

/** rollout status: prints each new status line from a watch of the deployment until it is done. */
async function status(ctx: KubectlContext, args: KubectlArgs): Promise<number> {
  const name = deploymentArg(args);
  const resource = ctx.client.resource(deployments, ctx.namespace);
  const timeout = durationMs(flag(args, 'timeout'));
  const stop = new AbortController();
  const timer = timeout ? setTimeout(() => stop.abort(), timeout) : undefined;
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  try {
    const list = await resource.list({ fieldSelector: `metadata.name=${name}`, signal });
    const first = list.items[0];
    if (!first) throw new KubectlError(`deployments.apps "${name}" not found`);
    let shown = rolloutStatus(first);
    ctx.out(shown.message);
    if (shown.done) return 0;
    const watcher = await resource.watch({
      fieldSelector: `metadata.name=${name}`,
      resourceVersion: list.metadata.resourceVersion,
      signal,
    });
    for await (const event of watcher) {
      if (event.type !== 'ADDED' && event.type !== 'MODIFIED') continue;
      const now = rolloutStatus(event.object);
      if (now.message !== shown.message) ctx.out(now.message);
      shown = now;
      if (now.done) return 0;
    }
    if (stop.signal.aborted) throw new KubectlError('timed out waiting for the condition');
    return 1;
  } finally {
    clearTimeout(timer);
  }
}

/** rollout history: the revisions of the deployment's replica sets with their change causes. */
async function history(ctx: KubectlContext, args: KubectlArgs): Promise<number> {
  const name = deploymentArg(args);
  const d = await ctx.client.resource(deployments, ctx.namespace).get(name, { signal: ctx.signal });
  const sets = (await ownedReplicaSets(ctx, d)).filter((rs) => rs.metadata.annotations?.[RevisionAnnotation]);
  const rows = sets
    .sort((a, b) => revisionOf(a) - revisionOf(b))
    .map((rs) => [String(revisionOf(rs)), rs.metadata.annotations?.[CHANGE_CAUSE] ?? '<none>']);
  // kubectl's history printer: a tabwriter with two spaces of padding, then a blank line.
  ctx.out(`${objectName(deployments, name)} \n`);
  ctx.out(`${alignColumns([['REVISION', 'CHANGE-CAUSE'], ...rows], 0, 2).join('\n')}\n\n`);
  return 0;
}

/**
 * rollout undo: copies the pod template of the wanted revision (the previous one unless
 * --to-revision) back into the deployment with a JSON patch, with that replica set's annotations,
 * as kubectl's DeploymentRollbacker does; the controller then rolls to it.
 */
async function undo(ctx: KubectlContext, args: KubectlArgs): Promise<number> {
  const name = deploymentArg(args);
  const resource = ctx.client.resource(deployments, ctx.namespace);
  const d = await resource.get(name, { signal: ctx.signal });
  if (d.spec.paused)
    throw new KubectlError(
      `you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again`,
    );
  const sets = (await ownedReplicaSets(ctx, d)).sort((a, b) => revisionOf(b) - revisionOf(a));
  const wanted = Number(flag(args, 'to-revision') ?? 0);
  const target = wanted ? sets.find((rs) => revisionOf(rs) === wanted) : sets[1];
  if (!target) {
    throw new KubectlError(
      wanted
        ? `unable to find specified revision ${wanted} in history`
        : `no rollout history found for deployment "${name}"`,
    );
  }
  if (equalIgnoreHash(target.spec.template!, d.spec.template)) {
    ctx.out(
      `${objectName(deployments, name)} skipped rollback (current template already matches revision ${revisionOf(target)})\n`,
    );
    return 0;
  }
  const template = structuredClone(target.spec.template!);
  if (template.metadata.labels) delete template.metadata.labels[DefaultDeploymentUniqueLabelKey];
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {}))
    if (annotationsToSkip.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(target.metadata.annotations ?? {}))
    if (!annotationsToSkip.has(k)) annotations[k] = v;
  await resource.patch(
    name,
    'json',
    [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ],
    { signal: ctx.signal },
  );
  ctx.out(`${objectName(deployments, name)} rolled back\n`);
  return 0;
}

/**
 * rollout pause|resume: a strategic merge of spec.paused (true, or null to clear it), refused when
 * the deployment already is in that state.
 */
async function setPaused(ctx: KubectlContext, args: KubectlArgs, paused: boolean): Promise<number> {
  const name = deploymentArg(args);
  const resource = ctx.client.resource(deployments, ctx.namespace);
  const d = await resource.get(name, { signal: ctx.signal });
  if (Boolean(d.spec.paused) === paused) {
    throw new KubectlError(`deployments.apps "${name}" is ${paused ? 'already' : 'not'} paused`);
  }
  await resource.patch(name, 'strategic', { spec: { paused: paused || null } }, { signal: ctx.signal });
  ctx.out(`${objectName(deployments, name)} ${paused ? 'paused' : 'resumed'}\n`);
  return 0;
}

const SUBCOMMANDS: Readonly<Record<string, (ctx: KubectlContext, args: KubectlArgs) => Promise<number>>> = {
  status,
  history,
  undo,
  pause: (ctx, args) => setPaused(ctx, args, true),
  resume: (ctx, args) => setPaused(ctx, args, false),
};

/** rollout status|history|undo|pause|resume deployment/NAME. */
export function rollout(ctx: KubectlContext, args: KubectlArgs): Promise<number> {
  const run = SUBCOMMANDS[args.words[1] ?? ''];
  if (!run) throw new KubectlError(`unknown command "${args.words[1] ?? ''}" for "kubectl rollout"`);
  return run(ctx, args);
}

/** The rollout subcommands the built-in kubectl runs; restart goes to the real one. */
export const ROLLOUT_SUBCOMMANDS: ReadonlySet<string> = new Set(Object.keys(SUBCOMMANDS));
