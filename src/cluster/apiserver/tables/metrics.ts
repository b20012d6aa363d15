import { addQuantities, formatQuantity, parseQuantity, zeroQuantity } from '../../api/quantity.ts';
import { column, nameCell, nameColumn } from './columns.ts';
import type { TableConvertor, TableObject } from './types.ts';

/** The part of NodeMetrics and PodMetrics the printers read. */
interface Usage {
  readonly cpu?: string;
  readonly memory?: string;
}

export interface NodeMetricsView extends TableObject {
  usage?: Usage;
  window?: string;
}

export interface PodMetricsView extends TableObject {
  containers?: readonly { usage?: Usage }[];
  window?: string;
}

const columns = [
  nameColumn,
  column('Cpu', 'string', 'CPU usage'),
  column('Memory', 'string', 'Memory usage'),
  column('Window', 'string', 'Interval'),
];

/** metrics-server's NodeMetrics printer: `kubectl get nodes.metrics.k8s.io` shows usage as stored. */
export const nodeMetricsConvertor: TableConvertor<NodeMetricsView> = {
  columns,
  cells: (m) => [nameCell(m), m.usage?.cpu ?? '', m.usage?.memory ?? '', m.window ?? ''],
};

/** metrics-server's PodMetrics printer: the pod's containers added up. */
export const podMetricsConvertor: TableConvertor<PodMetricsView> = {
  columns,
  cells: (m) => {
    const total = (resource: keyof Usage) =>
      formatQuantity(
        (m.containers ?? []).reduce(
          (sum, c) => addQuantities(sum, parseQuantity(c.usage?.[resource] ?? '0')),
          zeroQuantity,
        ),
      );
    return [nameCell(m), total('cpu'), total('memory'), m.window ?? ''];
  },
};
