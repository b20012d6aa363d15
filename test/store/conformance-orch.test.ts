// The conformance suite against our store behind its etcd gRPC face.

import { startOrchStore } from '../support/orch-store.ts';
import { runStoreConformance } from './conformance.case.ts';

runStoreConformance('orch-lab store', startOrchStore);
