import { request } from 'node:http';
import {
  encode,
  errorSchema,
  type Method,
  methods,
  pathPrefix,
  type RpcRequest,
  type RpcResponse,
} from './rpc.ts';

/** A call the runtime answered with an error; `code` is the gRPC status name (NotFound, ...). */
export class RuntimeCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeCallError';
  }
}

/** The client side of the runtime socket (see rpc.ts), as crictl is to containerd's socket. */
export class RuntimeClient {
  constructor(readonly socketPath: string) {}

  call<M extends Method>(method: M, body: RpcRequest<M>): Promise<RpcResponse<M>> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          method: 'POST',
          path: `${pathPrefix}${method}`,
          headers: { 'Content-Type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            try {
              const json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
              if (res.statusCode !== 200) {
                const error = errorSchema.parse(json);
                return reject(new RuntimeCallError(error.code, error.message));
              }
              resolve(methods[method].response.parse(json) as RpcResponse<M>);
            } catch (err) {
              reject(err);
            }
          });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
            ? new Error(`cannot reach the runtime at ${this.socketPath}: is the node running?`)
            : err,
        );
      });
      req.end(encode(body));
    });
  }
}
