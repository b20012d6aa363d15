import { describe, expect, it } from 'vitest';
import { Event } from '../../../api/core/event.ts';
import { eventConvertor } from './event.ts';

const now = new Date('2024-05-01T12:00:00Z');

describe('event printer', () => {
  it('declares LAST SEEN TYPE REASON OBJECT MESSAGE, the rest only wide', () => {
    expect(eventConvertor.columns.filter((c) => c.priority === 0).map((c) => c.name)).toEqual([
      'Last Seen',
      'Type',
      'Reason',
      'Object',
      'Message',
    ]);
    expect(eventConvertor.columns.map((c) => c.name)).toEqual([
      'Last Seen',
      'Type',
      'Reason',
      'Object',
      'Subobject',
      'Source',
      'Message',
      'First Seen',
      'Count',
      'Name',
    ]);
    expect(eventConvertor.columns[9]).toMatchObject({ format: 'name', priority: 1 });
  });

  it('prints an event from a v1 event recorder (kubelet style)', () => {
    const pulled = Event.parse({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: 'web.17c9a2b3d4e5f601',
        namespace: 'default',
        creationTimestamp: '2024-05-01T11:55:00Z',
      },
      involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{app}' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container app in pod web_default(6c1f7a8e)\n',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2024-05-01T11:55:00Z',
      lastTimestamp: '2024-05-01T11:59:48Z',
      count: 7,
      type: 'Warning',
      reportingComponent: 'kubelet',
      reportingInstance: 'node-1',
    });
    expect(eventConvertor.cells(pulled, now)).toEqual([
      '12s',
      'Warning',
      'BackOff',
      'pod/web',
      'spec.containers{app}',
      'kubelet, node-1',
      'Back-off restarting failed container app in pod web_default(6c1f7a8e)',
      '5m',
      7,
      'web.17c9a2b3d4e5f601',
    ]);
  });

  it('prints a single event from a new-style recorder (eventTime, no count)', () => {
    const scheduled = Event.parse({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: 'web.17c9a2b300000000',
        namespace: 'default',
        creationTimestamp: '2024-05-01T11:50:00Z',
      },
      involvedObject: { kind: 'Pod', name: 'web' },
      reason: 'Scheduled',
      message: 'Successfully assigned default/web to node-1',
      source: {},
      eventTime: '2024-05-01T11:50:00.123456Z',
      type: 'Normal',
      reportingComponent: 'default-scheduler',
      reportingInstance: 'default-scheduler-lab-control-plane',
    });
    expect(eventConvertor.cells(scheduled, now)).toEqual([
      '9m59s',
      'Normal',
      'Scheduled',
      'pod/web',
      '',
      'default-scheduler, default-scheduler-lab-control-plane',
      'Successfully assigned default/web to node-1',
      '9m59s',
      1,
      'web.17c9a2b300000000',
    ]);
  });

  it('takes LAST SEEN and COUNT from the series of a repeated event', () => {
    const repeated = Event.parse({
      metadata: { name: 'web.1', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web' },
      reason: 'Unhealthy',
      eventTime: '2024-05-01T11:00:00.000000Z',
      series: { count: 42, lastObservedTime: '2024-05-01T11:59:30.000000Z' },
      reportingComponent: 'kubelet',
      type: 'Warning',
    });
    const cells = eventConvertor.cells(repeated, now);
    expect([cells[0], cells[5], cells[7], cells[8]]).toEqual(['30s', 'kubelet', '60m', 42]);
  });

  it('prints the kind alone for an event about an object without a name', () => {
    const event = Event.parse({ metadata: { name: 'x' }, involvedObject: { kind: 'Node' } });
    expect(eventConvertor.cells(event, now).slice(0, 4)).toEqual(['<unknown>', '', '', 'node']);
  });
});
