// The conformance suite against a real etcd 3.4: this is where the suite's expectations are proven.

import { startEtcd } from '../support/etcd-process.ts';
import { runStoreConformance } from './conformance.case.ts';

runStoreConformance('etcd 3.4', startEtcd);
