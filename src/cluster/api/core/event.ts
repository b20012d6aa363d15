/** core/v1 Event: a record of something that happened to an object (what kubectl describe lists). */
import type { z } from 'zod';
import { objectFields } from '../meta.ts';
import { always, apiPackage, int32, MicroTime, optional, str, Time } from '../schema.ts';
import { ObjectReference } from './references.ts';

const core = apiPackage('io.k8s.api.core.v1');

export const EventSource = core.struct('EventSource', 'The component that reported an event.', {
  component: optional(str, 'Reporting component, e.g. kubelet or default-scheduler.'),
  host: optional(str, 'Node the component runs on.'),
});

export const EventSeries = core.struct('EventSeries', 'Repeats of an event that are reported together.', {
  count: optional(int32, 'Occurrences so far.'),
  lastObservedTime: optional(MicroTime, 'When it last happened.'),
});

export const Event = core.kind(
  { group: '', version: 'v1', kind: 'Event' },
  'A report of something that happened to an object, such as a pod being scheduled or an image pulled.',
  {
    ...objectFields('Standard object metadata.'),
    involvedObject: always(ObjectReference, 'The object the event is about.'),
    reason: optional(str, 'Short CamelCase reason, e.g. Scheduled, Pulled, BackOff.'),
    message: optional(str, 'Human-readable description.'),
    source: always(EventSource, 'Who reported it (older clients).'),
    firstTimestamp: optional(Time, 'When it first happened.'),
    lastTimestamp: optional(Time, 'When it last happened.'),
    count: optional(int32, 'How many times it happened.'),
    type: optional(str, 'Normal or Warning.'),
    eventTime: optional(MicroTime, 'When it first happened, with microseconds (newer clients).'),
    series: optional(EventSeries, 'Repeats of this event.'),
    action: optional(str, 'What was done or failed, e.g. Binding.'),
    related: optional(ObjectReference, 'A second object involved, if any.'),
    reportingComponent: optional(str, 'Controller that reported it, e.g. kubernetes.io/kubelet.'),
    reportingInstance: optional(str, 'Instance of that controller, e.g. the node name.'),
  },
);
export type Event = z.infer<typeof Event>;
