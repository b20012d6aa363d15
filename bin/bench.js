#!/usr/bin/env node
// `npm run bench -- store` runs bench/store; with no name, every benchmark in turn.
import { register } from 'tsx/esm/api';

register();
await import('../bench/main.ts');
