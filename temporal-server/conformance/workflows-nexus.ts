// Workflows of the Nexus conformance test: a caller of the conformance service, and the workflow its
// asynchronous operation starts.
import * as nexus from 'nexus-rpc';
import { createNexusServiceClient } from '@temporalio/workflow';

export const conformanceService = nexus.service('conformance', {
  echo: nexus.operation<string, string>(),
  refuse: nexus.operation<string, string>(),
  viaWorkflow: nexus.operation<string, string>(),
});

/** Calls one operation of the conformance service on `endpoint`. */
export async function callsOperation(endpoint: string, operation: 'echo' | 'refuse' | 'viaWorkflow', input: string): Promise<string> {
  const client = createNexusServiceClient({ service: conformanceService, endpoint });
  return await client.executeOperation(operation, input, { scheduleToCloseTimeout: '1 minute' });
}

/** The workflow behind the asynchronous operation. */
export function shouts(input: string): Promise<string> {
  return Promise.resolve(`${input}!`);
}
