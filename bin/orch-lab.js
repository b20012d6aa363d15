#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

// React's production build: the terminal UI's development build costs it CPU on every render.
process.env.NODE_ENV ??= 'production';
register();
await import('../src/cli/main.ts');
