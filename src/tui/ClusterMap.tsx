import { Box, Text } from 'ink';
import { memo } from 'react';
import type { ClusterModel } from './cluster-model.ts';
import { useTheme } from './context.ts';
import { NodeBox } from './NodeBox.tsx';
import { Tray } from './Tray.tsx';

const MIN_BOX = 28;

/** Nodes side by side as boxes (as many as fit the width), then the tray of unscheduled pods. */
export const ClusterMap = memo(function ClusterMap(props: {
  readonly model: ClusterModel;
  readonly selectedPod?: string;
  readonly width: number;
  readonly height: number;
}) {
  const theme = useTheme();
  const { nodes, tray } = props.model;
  const columns = Math.max(1, Math.floor(props.width / MIN_BOX));
  const nodeColumns = Math.max(1, columns - 1);
  const boxWidth = Math.floor(props.width / Math.min(columns, Math.max(2, nodes.length + 1)));
  const shown = nodes.slice(0, nodeColumns);
  return (
    <Box height={props.height} width={props.width}>
      {nodes.length === 0 && (
        <Box width={props.width - boxWidth} paddingX={1}>
          <Text color={theme.muted}>No nodes yet: a node appears here once its kubelet registers.</Text>
        </Box>
      )}
      {shown.map((n) => (
        <NodeBox
          key={n.node.metadata?.name}
          {...n}
          selectedPod={props.selectedPod}
          width={boxWidth}
          height={props.height}
        />
      ))}
      {nodes.length > shown.length && <Text color={theme.muted}>+{nodes.length - shown.length}</Text>}
      <Tray pods={tray} selectedPod={props.selectedPod} width={boxWidth} height={props.height} />
    </Box>
  );
});
