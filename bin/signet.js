#!/usr/bin/env node
// `npx signet`: the same TypeScript core the browser runs, scripted from Node. tsx loads the
// TypeScript sources directly (Node 20 cannot strip types by itself), so there is no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
