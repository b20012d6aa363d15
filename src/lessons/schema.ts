import { z } from 'zod';
import type { Language } from './language.ts';
import { isPath } from './paths.ts';

/**
 * The lesson format: lessons/<NN-slug>/lesson.yaml, parsed by these schemas. Every check reads the
 * cluster through the Kubernetes API (or, for keys outside /registry, the store's etcd face), so a
 * lesson works against any cluster a kubeconfig reaches.
 */

/** A condition on a value found at a JSONPath-like path (see paths.ts); one operator each. */
export const FieldMatcher = z
  .object({
    /** `.spec.replicas`, `.metadata.labels.app`, `.status.conditions[?(@.type=="Ready")].status` */
    path: z.string().min(1),
    equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
    /** A regular expression the value (as text) must match. */
    matches: z.string().optional(),
    /** The value is a number (or a numeric string, as resourceVersion is) no smaller than this. */
    atLeast: z.number().optional(),
  })
  .strict()
  .refine((m) => [m.equals, m.matches, m.atLeast].filter((v) => v !== undefined).length === 1, {
    message: 'a field matcher needs exactly one of equals, matches, atLeast',
  })
  .refine((m) => isPath(m.path), {
    message: 'not a path: .a.b, ["a.b"], [0], [*] or [?(@.k=="v")]',
    path: ['path'],
  });
export type FieldMatcher = z.infer<typeof FieldMatcher>;

/** How many: exactly, or at least. */
const Count = z
  .object({ equals: z.number().int().min(0).optional(), atLeast: z.number().int().min(0).optional() })
  .strict()
  .refine((c) => (c.equals === undefined) !== (c.atLeast === undefined), {
    message: 'a count needs exactly one of equals, atLeast',
  });

const objectRef = {
  /** v1, apps/v1, rbac.authorization.k8s.io/v1 */
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  /** Defaults to the lesson's namespace for namespaced kinds. */
  namespace: z.string().optional(),
};

/**
 * Objects of a kind, by name or label selector, filtered by field matchers, counted. Objects being
 * deleted (deletionTimestamp set) do not count: they are on their way out.
 */
const ObjectsCheck = z
  .object({
    objects: z
      .object({
        ...objectRef,
        name: z.string().optional(),
        selector: z.string().optional(),
        /** Pods only: in this phase. */
        phase: z.enum(['Pending', 'Running', 'Succeeded', 'Failed']).optional(),
        /** Pods only: Ready condition True. */
        ready: z.boolean().optional(),
        where: z.array(FieldMatcher).default([]),
        /** At least one unless given; `equals: 0` means none (gone). */
        count: Count.optional(),
      })
      .strict(),
  })
  .strict();

/** A Deployment whose rollout is complete (kubectl rollout status's rule) at a revision. */
const RolloutCheck = z
  .object({
    rollout: z
      .object({ name: z.string(), namespace: z.string().optional(), revision: z.number().int().min(1) })
      .strict(),
  })
  .strict();

/** An Event with this reason, about an object (by kind and name) if given. */
const EventCheck = z
  .object({
    event: z
      .object({
        reason: z.string(),
        namespace: z.string().optional(),
        involvedKind: z.string().optional(),
        involvedName: z.string().optional(),
        /** Occurrences (Event.count summed): 1 unless given. */
        atLeast: z.number().int().min(1).default(1),
      })
      .strict(),
  })
  .strict();

/**
 * A store key: under /registry it is read through the API (resourceVersion is the key's mod
 * revision); any other key through the lab's etcd face. `where` matches the stored object (or, for
 * a raw key, `.value` and `.lease`).
 */
const StoreKeyCheck = z
  .object({
    storeKey: z
      .object({
        key: z.string().startsWith('/'),
        exists: z.boolean().default(true),
        where: z.array(FieldMatcher).default([]),
      })
      .strict(),
  })
  .strict();

/**
 * An HTTP answer from the host with the expected text: a URL, a Service by how it is exposed, or
 * an Ingress (its controller's address, asking for the rule's host name).
 */
const HttpCheck = z
  .object({
    http: z
      .object({
        url: z.string().url().optional(),
        service: z
          .object({
            name: z.string(),
            namespace: z.string().optional(),
            /** nodePort: any node's IP and the node port; loadBalancer: the ingress IP; clusterIP. */
            via: z.enum(['clusterIP', 'nodePort', 'loadBalancer']),
            path: z.string().default('/'),
          })
          .strict()
          .optional(),
        ingress: z
          .object({
            name: z.string(),
            namespace: z.string().optional(),
            /** Sent as the Host header, which the rules match. */
            host: z.string(),
            path: z.string().default('/'),
          })
          .strict()
          .optional(),
        expect: z.string(),
      })
      .strict()
      .refine((h) => [h.url, h.service, h.ingress].filter((t) => t !== undefined).length === 1, {
        message: 'an http check needs exactly one of url, service, ingress',
      }),
  })
  .strict();

/** A container's log (pods/log through the API) contains text matching a regular expression. */
const LogCheck = z
  .object({
    log: z
      .object({
        pod: z.string(),
        container: z.string().optional(),
        namespace: z.string().optional(),
        matches: z.string(),
      })
      .strict(),
  })
  .strict();

/**
 * A command the learner typed at the terminal UI's prompt matches a regular expression. Only the
 * UI sees what is typed: `orch-lab lesson check` reports such steps as checked in the UI only.
 */
const TypedCheck = z.object({ typed: z.string().min(1) }).strict();

export const Check = z.union([
  ObjectsCheck,
  RolloutCheck,
  EventCheck,
  StoreKeyCheck,
  HttpCheck,
  LogCheck,
  TypedCheck,
]);
export type Check = z.infer<typeof Check>;

/** What reset removes: objects by name or selector, or a label from every object of a kind. */
export const Cleanup = z.union([
  z
    .object({
      delete: z
        .object({ ...objectRef, name: z.string().optional(), selector: z.string().optional() })
        .strict()
        .refine((d) => d.name !== undefined || d.selector !== undefined, {
          message: 'delete needs a name or a selector',
        }),
    })
    .strict(),
  z.object({ removeLabel: z.object({ ...objectRef, key: z.string() }).strict() }).strict(),
]);
export type Cleanup = z.infer<typeof Cleanup>;

const textIn = (name: string) =>
  z
    .string({
      error: (issue) =>
        issue.input === undefined ? `the ${name} text is missing` : `the ${name} text is not a string`,
    })
    .min(1, `the ${name} text is empty`);

/**
 * What the learner reads, in every language the lessons speak (language.ts): `{ en: ..., ko: ... }`.
 * A lesson missing a language for any text does not load.
 */
export const Text = z
  .object({ en: textIn('English'), ko: textIn('Korean') } satisfies Record<Language, z.ZodType<string>>, {
    error: (issue) =>
      issue.code === 'invalid_type' ? 'text in every language: { en: ..., ko: ... }' : undefined,
  })
  .strict();

/** The views of the terminal UI that show what happens underneath. */
export const View = z.enum(['Events', 'Flow', 'Store', 'Scheduler', 'Map']);

export const Step = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/, 'step ids are lower-case words joined by -'),
    title: Text,
    /** Markdown. */
    body: Text,
    /** What to type, shown to the learner; `{{dir}}` is the lesson's folder. */
    commands: z.array(z.string()).default([]),
    /** Every check must pass for the step to turn green. */
    check: z.union([Check, z.array(Check).min(1)]).transform((c) => (Array.isArray(c) ? c : [c])),
    /** Ordered: each `hint` shows the next one. */
    hints: z.array(Text).min(1),
    underTheHood: z.object({ text: Text, views: z.array(View).default([]) }).strict(),
    /**
     * The commands a learner would type to finish the step, run by the lessons' tests in `sh` with
     * the lab's KUBECONFIG, ORCH_LAB_HOME and ETCDCTL_ENDPOINTS; lines that `typed` checks wait
     * for are also reported to the engine as typed.
     */
    solution: z.array(z.string()).min(1),
    cleanup: z.array(Cleanup).default([]),
  })
  .strict();
export type Step = z.infer<typeof Step>;

/** Features a lesson needs that a cluster may lack (features.ts finds them). */
export const Feature = z.enum(['services', 'ingress', 'etcd']);
export type Feature = z.infer<typeof Feature>;

export const Lesson = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    title: Text,
    summary: Text,
    objectives: z.array(Text).min(1),
    /** Lesson ids to take first. */
    prerequisites: z.array(z.string()).default([]),
    estimatedMinutes: z.number().int().min(1),
    /** The namespace the lesson works in: start creates it, reset deletes it. */
    namespace: z.string().optional(),
    requires: z.array(Feature).default([]),
    steps: z.array(Step).min(1),
    cleanup: z.array(Cleanup).default([]),
  })
  .strict()
  .superRefine((lesson, ctx) => {
    const seen = new Set<string>();
    lesson.steps.forEach((step, i) => {
      if (seen.has(step.id)) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step id ${step.id}` });
      }
      seen.add(step.id);
    });
  });
export type Lesson = z.infer<typeof Lesson>;
