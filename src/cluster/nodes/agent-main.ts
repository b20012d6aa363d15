// The node agent's entry point when it runs from the bundle agent-bundle.ts builds:
// node node-agent.mjs --config <nodeDir>/node.json
import { runAgentProcess } from './agent.ts';

const at = process.argv.indexOf('--config');
const config = at > 0 ? process.argv[at + 1] : undefined;
if (!config) {
  console.error('usage: node-agent --config <nodeDir>/node.json');
  process.exit(2);
}
await runAgentProcess(config);
