import { Box, Text } from 'ink';
import type { Node } from '../cluster/api/core/node.ts';
import { Bar, formatBytes, formatCpu } from './Bar.tsx';
import { useTheme } from './context.ts';
import { PodLine } from './PodLine.tsx';
import type { NodeUsage } from './pod-state.ts';

/** A pod as the map draws it. */
export interface MapPod {
  readonly key: string;
  readonly name: string;
  readonly status: string;
}

/** A node: its status and runtime, requests against allocatable, taints, and the pods bound to it. */
export function NodeBox(props: {
  readonly node: Node;
  readonly status: string;
  readonly usage: NodeUsage;
  readonly pods: readonly MapPod[];
  readonly selectedPod?: string;
  readonly width: number;
  readonly height: number;
}) {
  const theme = useTheme();
  const taints = (props.node.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`);
  // What runs its pods, as the kubelet reports it: containerd://1.6.20 shows as containerd.
  const runtime = props.node.status?.nodeInfo?.containerRuntimeVersion?.split('://')[0];
  const ready = props.status.startsWith('Ready');
  const inner = props.width - 4;
  const podRows = Math.max(1, props.height - 5 - (taints.length ? 1 : 0));
  const shown = props.pods.slice(0, props.pods.length > podRows ? podRows - 1 : podRows);
  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      borderColor={ready ? theme.ok : theme.error}
      width={props.width}
      height={props.height}
      paddingX={1}
      overflow="hidden"
    >
      <Text wrap="truncate">
        <Text bold>{props.node.metadata?.name}</Text>{' '}
        <Text color={ready ? theme.ok : theme.error}>{props.status}</Text>
        {runtime && <Text color={theme.muted}> {runtime}</Text>}
      </Text>
      <Bar
        label="cpu"
        used={props.usage.cpu.requested}
        total={props.usage.cpu.allocatable}
        width={Math.max(4, inner - 16)}
        format={formatCpu}
      />
      <Bar
        label="mem"
        used={props.usage.memory.requested}
        total={props.usage.memory.allocatable}
        width={Math.max(4, inner - 16)}
        format={formatBytes}
      />
      {taints.length > 0 && (
        <Text wrap="truncate" color={theme.warn}>
          taint {taints.join(',')}
        </Text>
      )}
      {shown.map((pod) => (
        <PodLine key={pod.key} name={pod.name} status={pod.status} selected={pod.key === props.selectedPod} />
      ))}
      {shown.length < props.pods.length && (
        <Text color={theme.muted}>+{props.pods.length - shown.length} more</Text>
      )}
    </Box>
  );
}
