/** Create and update rules of discovery.k8s.io/v1 EndpointSlice (see ../strategy.ts). */
import { semanticEqual } from '../equality.ts';
import { withGeneration } from '../strategy.ts';
import type { EndpointSlice } from './endpoint-slice.ts';

/** A slice has no spec; any change outside metadata, or to its labels, is a new generation. */
export const endpointSliceLifecycle = withGeneration<EndpointSlice>((slice, old) => {
  const { metadata, ...content } = slice;
  const { metadata: oldMetadata, ...oldContent } = old;
  return !semanticEqual(content, oldContent) || !semanticEqual(metadata.labels, oldMetadata.labels);
});
