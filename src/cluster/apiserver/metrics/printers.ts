import type { NodeMetrics, PodMetrics } from '../../api/metrics/types.ts';
import { addQuantities, formatQuantity, parseQuantity, zeroQuantity } from '../../api/quantity.ts';
import { column, nameCell, nameColumn } from '../tables/columns.ts';
import type { TableConvertor } from '../tables/types.ts';

const columns = [
  nameColumn,
  column('Cpu', 'string', 'CPU usage'),
  column('Memory', 'string', 'Memory usage'),
  column('Window', 'string', 'Interval'),
];

/** metrics-server's NodeMetrics printer: `kubectl get nodes.metrics.k8s.io` shows usage as stored. */
export const nodeMetricsConvertor: TableConvertor<NodeMetrics> = {
  columns,
  cells: (m) => [nameCell(m), m.usage.cpu, m.usage.memory, m.window],
};

/** metrics-server's PodMetrics printer: the pod's containers added up. */
export const podMetricsConvertor: TableConvertor<PodMetrics> = {
  columns,
  cells: (m) => {
    const total = (resource: 'cpu' | 'memory') =>
      formatQuantity(
        m.containers.reduce((sum, c) => addQuantities(sum, parseQuantity(c.usage[resource])), zeroQuantity),
      );
    return [nameCell(m), total('cpu'), total('memory'), m.window];
  },
};
