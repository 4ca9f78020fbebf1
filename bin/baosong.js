#!/usr/bin/env node
// The baosong CLI. Runs the compiled JavaScript in dist/ (built by `npm install` / `npm ci` through the
// `prepare` script, or `npm run build`) while that build is newer than every TypeScript source; otherwise
// (a checkout being edited, no build) the sources themselves through tsx. So it starts fast when
// installed and is never stale. BAOSONG_FROM_SOURCE=1 forces the sources.
import { staleBuild } from './fresh.js';

let main;
if (staleBuild() === null) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
const code = await main(process.argv.slice(2));
// main returns once the command is done (a service after its drain). Exit now: the Temporal runtime, once
// installed with its log forwarding, keeps the process alive (and holds SIGTERM) when a start failed early.
process.exit(code);
