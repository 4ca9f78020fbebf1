// Every workflow the baosong worker runs. The worker bundles this file (workflowsPath).
export * from './report.js';
export * from './expected.js';
export * from './digest.js';
