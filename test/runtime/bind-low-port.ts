// Test helper: binds port 80 through the image library, as a lab server does; run as an unprivileged user.
import { createServer } from 'node:http';
import { ContainerFs } from '../../src/cluster/runtime/images/lib/fs.ts';
import { PodNetwork } from '../../src/cluster/runtime/images/lib/net.ts';

await new PodNetwork(process.argv[2]!, 'web', new ContainerFs('/', [])).listen(createServer(), 80, 'nginx');
process.stdout.write('bound\n');
process.exit(0);
