import { fileURLToPath } from 'node:url';
import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/**
 * api.proto as @grpc/proto-loader hands it to both ends: field names in camelCase (podSandboxId),
 * int64 as decimal strings, enums as their names, bytes as Buffers, and every field present with
 * its default, so the converters in convert.ts need no undefined checks.
 */
const definition = protoLoader.loadSync('api.proto', {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [fileURLToPath(new URL('.', import.meta.url))],
});

export const runtimeServiceDefinition = definition['runtime.v1.RuntimeService'] as grpc.ServiceDefinition;
export const imageServiceDefinition = definition['runtime.v1.ImageService'] as grpc.ServiceDefinition;
