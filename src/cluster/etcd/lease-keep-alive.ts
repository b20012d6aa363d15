import type * as grpc from '@grpc/grpc-js';
import type { Store } from '../store/store.ts';
import { leaseId, toBigInt, toStatus } from './convert.ts';
import type { GrpcStatus, LeaseIdRequestPb, LeaseKeepAliveResponsePb, ResponseHeaderPb } from './messages.ts';

/**
 * Serves one LeaseKeepAlive stream as etcd does: each request renews one lease and gets one answer,
 * in request order, with TTL 0 for a lease that is gone (clients read that as "expired"). A client
 * that half-closes gets its remaining answers, then the end of the stream.
 *
 * Returns a stop function that ends the stream with the given status.
 */
export function serveLeaseKeepAlive(
  call: grpc.ServerDuplexStream<LeaseIdRequestPb, LeaseKeepAliveResponsePb>,
  store: Store,
  header: (revision: number) => ResponseHeaderPb,
): (status: GrpcStatus) => void {
  let done = false;
  // Renewals chain one after another so answers keep the order of requests.
  let answered = Promise.resolve();
  const stop = (status: GrpcStatus) => {
    if (done) return;
    done = true;
    call.emit('error', status);
  };
  call.on('close', () => {
    done = true;
  });
  call.on('data', (req: LeaseIdRequestPb) => {
    answered = answered.then(async () => {
      if (done) return;
      try {
        const res = await store.leaseKeepAlive(toBigInt(req.ID));
        if (!done) call.write({ header: header(res.header.revision), ID: leaseId(res.id), TTL: res.ttl });
      } catch (err) {
        stop(toStatus(err));
      }
    });
  });
  call.on('end', () => {
    answered = answered.then(() => {
      if (done) return;
      done = true;
      call.end();
    });
  });
  return stop;
}
