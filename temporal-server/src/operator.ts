// OperatorService: the search attribute administration the SDK's tests and `temporal operator
// search-attribute` use (add, list, remove), and the registry of Nexus endpoints (create, get, list,
// update, delete; nexus.ts routes operations by it). Every other
// operator method answers UNIMPLEMENTED. Attributes are one registry for all namespaces (the store is shared too).
import { randomUUID } from 'node:crypto';
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from './errors.js';
import type { Engine } from './engine.js';
import type { NexusEndpoint } from './nexus.js';
import { msToTimestamp, type Obj, type T } from './proto.js';
import { indexedValueTypeName, indexedValueTypeNumber } from './search-attributes.js';
import type { Handlers } from './service.js';

type Endpoint = NexusEndpoint;

/** Endpoint names as Temporal accepts them. */
const ENDPOINT_NAME = /^[a-zA-Z][a-zA-Z0-9_-]*$/;

export function operatorHandlers(engine: Engine, namespaceExists: (name: string) => boolean): Handlers {
  const types = engine.searchAttributeTypes;
  const endpoints = engine.nexus.endpoints;
  const message = (e: Endpoint): Obj => ({
    id: e.id,
    version: e.version,
    spec: e.spec,
    createdTime: msToTimestamp(e.createdTime),
    lastModifiedTime: msToTimestamp(e.lastModifiedTime),
    urlPrefix: `/nexus/endpoints/${e.id}`,
  });
  const checkSpec = (spec: T.api.nexus.v1.IEndpointSpec | null | undefined, except?: string): T.api.nexus.v1.IEndpointSpec => {
    if (!spec?.name || !ENDPOINT_NAME.test(spec.name)) throw invalidArgument(`Endpoint name ${spec?.name ?? ''} is not valid: it must start with a letter and hold only letters, digits, - and _.`);
    const worker = spec.target?.worker;
    if (!worker?.namespace || !worker.taskQueue) throw invalidArgument('Endpoint target must name a worker namespace and task queue.');
    if (!namespaceExists(worker.namespace)) throw notFound(`Namespace ${worker.namespace} is not found.`);
    if ([...endpoints.values()].some((e) => e.spec.name === spec.name && e.id !== except)) throw alreadyExists(`Nexus endpoint with name ${spec.name} already exists.`);
    return spec;
  };
  const endpointById = (id: string | null | undefined): Endpoint => {
    const e = id ? endpoints.get(id) : undefined;
    if (!e) throw notFound(`Nexus endpoint ${id ?? ''} not found.`);
    return e;
  };
  const checkNamespace = (name: string | null | undefined): void => {
    if (!namespaceExists(name || 'default')) throw notFound(`Namespace ${name ?? ''} is not found.`);
  };
  return {
    AddSearchAttributes: (req: T.api.operatorservice.v1.IAddSearchAttributesRequest) => {
      checkNamespace(req.namespace);
      const wanted = Object.entries(req.searchAttributes ?? {});
      if (wanted.length === 0) throw invalidArgument('SearchAttributes are not set on request.');
      for (const [name, value] of wanted) {
        const type = indexedValueTypeName(Number(value));
        if (!type) throw invalidArgument(`Unknown search attribute type ${String(value)} for ${name}.`);
        if (types.isSystem(name)) throw invalidArgument(`Search attribute ${name} is reserved by system.`);
      }
      for (const [name, value] of wanted) {
        if (!types.register(name, indexedValueTypeName(Number(value))!))
          throw alreadyExists(`Search attribute ${name} already exists with another type (${types.typeOf(name) ?? ''}).`);
      }
      return Promise.resolve({});
    },

    RemoveSearchAttributes: (req: T.api.operatorservice.v1.IRemoveSearchAttributesRequest) => {
      checkNamespace(req.namespace);
      for (const name of req.searchAttributes ?? []) if (!types.unregister(name)) throw notFound(`Search attribute ${name} doesn't exist.`);
      return Promise.resolve({});
    },

    CreateNexusEndpoint: (req: T.api.operatorservice.v1.ICreateNexusEndpointRequest) => {
      const spec = checkSpec(req.spec);
      const now = engine.clock.now();
      const e: Endpoint = { id: randomUUID(), version: 1, spec, createdTime: now, lastModifiedTime: now };
      endpoints.set(e.id, e);
      return Promise.resolve({ endpoint: message(e) });
    },

    GetNexusEndpoint: (req: T.api.operatorservice.v1.IGetNexusEndpointRequest) => Promise.resolve({ endpoint: message(endpointById(req.id)) }),

    ListNexusEndpoints: (req: T.api.operatorservice.v1.IListNexusEndpointsRequest) => {
      const all = [...endpoints.values()].filter((e) => !req.name || e.spec.name === req.name).sort((a, b) => a.createdTime - b.createdTime);
      return Promise.resolve({ endpoints: all.map(message) });
    },

    UpdateNexusEndpoint: (req: T.api.operatorservice.v1.IUpdateNexusEndpointRequest) => {
      const e = endpointById(req.id);
      if (Number(req.version ?? 0) !== e.version) throw failedPrecondition(`Nexus endpoint ${e.id} is at version ${e.version}, not ${String(req.version)}.`);
      e.spec = checkSpec(req.spec, e.id);
      e.version += 1;
      e.lastModifiedTime = engine.clock.now();
      return Promise.resolve({ endpoint: message(e) });
    },

    DeleteNexusEndpoint: (req: T.api.operatorservice.v1.IDeleteNexusEndpointRequest) => {
      const e = endpointById(req.id);
      if (req.version != null && Number(req.version) !== 0 && Number(req.version) !== e.version)
        throw failedPrecondition(`Nexus endpoint ${e.id} is at version ${e.version}, not ${String(req.version)}.`);
      endpoints.delete(e.id);
      return Promise.resolve({});
    },

    ListSearchAttributes: (req: T.api.operatorservice.v1.IListSearchAttributesRequest) => {
      checkNamespace(req.namespace);
      const custom: Obj = {};
      for (const [name, type] of types.customTypes()) custom[name] = indexedValueTypeNumber(type);
      const system: Obj = {};
      for (const [name, type] of Object.entries(types.systemTypes())) system[name] = indexedValueTypeNumber(type);
      return Promise.resolve({ customAttributes: custom, systemAttributes: system, storageSchema: {} });
    },
  };
}
