import { runProviderCases } from './provider.case.ts';

// Node 8 (127.100.0.8): the other tests in this folder use nodes 1 and 4 to 7.
runProviderCases({ provider: 'process', name: 'node-8', newProvider: (lab) => lab.nodes });
