// Builds the workflow bundle ahead of time (last step of `npm run build`), so workers start without
// webpack: faster, and a few hundred MB less memory at start. Workers running from dist/ use it (see
// defaultWorkflowBundle); bin/baosong.js takes this file's time as the build's (bin/fresh.js).
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_PATH, WORKFLOWS_PATH } from './index.js';

const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
await mkdir(dirname(WORKFLOW_BUNDLE_PATH), { recursive: true });
await writeFile(`${WORKFLOW_BUNDLE_PATH}.tmp`, code);
await rename(`${WORKFLOW_BUNDLE_PATH}.tmp`, WORKFLOW_BUNDLE_PATH);
console.log(`workflow bundle written to ${WORKFLOW_BUNDLE_PATH} (${(code.length / 1024).toFixed(0)} KiB)`);
