// Issue 23: the server stands in for the Temporal CLI dev server — TestWorkflowEnvironment.createLocal
// can start it (`server start-dev --port …` with --namespace, --search-attribute, --dynamic-config-value),
// and OperatorService registers, lists and removes custom search attributes, whose types then stamp
// untyped values as Temporal does.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { status as grpcStatus } from '@grpc/grpc-js';
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { TEST_SERVER_PATH, isBaosongServer, uniqueTaskQueue } from '../testing.js';

const { IndexedValueType } = temporal.api.enums.v1;
const ourTest = test.runIf(isBaosongServer());
const namespace = `dev-${randomUUID().slice(0, 8)}`;
const atStart = defineSearchAttributeKey('registeredAtStart', SearchAttributeType.INT);

let env: TestWorkflowEnvironment | undefined;

beforeAll(async () => {
  if (!isBaosongServer()) return;
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: TEST_SERVER_PATH },
      namespace,
      searchAttributes: [atStart],
      extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=5', '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true'],
    },
  });
});

afterAll(async () => {
  await env?.teardown();
});

ourTest('createLocal starts this server as a dev server, with its namespace and search attributes', async () => {
  const { namespaceInfo } = await env!.connection.workflowService.describeNamespace({ namespace });
  expect(namespaceInfo?.name).toBe(namespace);
  const listed = await env!.connection.operatorService.listSearchAttributes({ namespace });
  expect(listed.customAttributes.registeredAtStart).toBe(IndexedValueType.INDEXED_VALUE_TYPE_INT);
  expect(listed.customAttributes.CustomKeywordField).toBe(IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
  expect(listed.systemAttributes.WorkflowId).toBe(IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
});

ourTest('AddSearchAttributes types untyped values from then on; another type for the same name is ALREADY_EXISTS; Remove forgets it', async () => {
  const svc = env!.connection.operatorService;
  await svc.addSearchAttributes({ namespace, searchAttributes: { score: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE } });
  expect((await svc.listSearchAttributes({ namespace })).customAttributes.score).toBe(IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE);
  // The same type again is fine (as registering the dev server's defaults twice is).
  await svc.addSearchAttributes({ namespace, searchAttributes: { score: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE } });
  const clash = await svc
    .addSearchAttributes({ namespace, searchAttributes: { score: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD } })
    .then(() => undefined, (e: unknown) => (e as { code?: number }).code);
  expect(clash).toBe(grpcStatus.ALREADY_EXISTS);

  const h = await env!.client.workflow.start('neverRuns', { taskQueue: uniqueTaskQueue('operator'), workflowId: `typed-${randomUUID()}`, searchAttributes: { score: [3], registeredAtStart: [7] } });
  const d = await h.describe();
  expect(d.typedSearchAttributes.get(defineSearchAttributeKey('score', SearchAttributeType.DOUBLE))).toBe(3);
  expect(d.typedSearchAttributes.get(atStart)).toBe(7);
  await h.terminate();

  await svc.removeSearchAttributes({ namespace, searchAttributes: ['score'] });
  expect((await svc.listSearchAttributes({ namespace })).customAttributes.score).toBeUndefined();
});

ourTest('Nexus endpoints: created, found, listed, updated by version, deleted; a name is taken once', async () => {
  const op = env!.connection.operatorService;
  const taskQueue = uniqueTaskQueue('nexus');
  const name = `ep-${randomUUID().slice(0, 8)}`;
  const created = await env!.createNexusEndpoint(name, taskQueue);
  expect(created.version).toBeTruthy();
  const codeOf = (e: unknown) => (e as { code?: number }).code;
  const again = await op.createNexusEndpoint({ spec: { name, target: { worker: { namespace, taskQueue } } } }).then(() => 0, codeOf);
  expect(again).toBe(grpcStatus.ALREADY_EXISTS);
  expect((await op.getNexusEndpoint({ id: created.id })).endpoint?.spec?.name).toBe(name);
  expect((await op.listNexusEndpoints({ name })).endpoints.map((e) => e.id)).toEqual([created.id]);
  const stale = await op.updateNexusEndpoint({ id: created.id, version: created.version.add(98), spec: { name, target: { worker: { namespace, taskQueue: 'other' } } } }).then(() => 0, codeOf);
  expect(stale).toBe(grpcStatus.FAILED_PRECONDITION);
  const updated = await op.updateNexusEndpoint({ id: created.id, version: created.version, spec: { name, target: { worker: { namespace, taskQueue: 'other' } } } });
  expect(updated.endpoint?.spec?.target?.worker?.taskQueue).toBe('other');
  await env!.deleteNexusEndpoint({ ...created, version: updated.endpoint!.version! });
  const gone = await op.getNexusEndpoint({ id: created.id }).then(() => 0, codeOf);
  expect(gone).toBe(grpcStatus.NOT_FOUND);
});
