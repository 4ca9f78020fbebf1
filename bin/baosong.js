#!/usr/bin/env node
// The baosong CLI. Runs the TypeScript sources through tsx, so a checkout works without a build.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
