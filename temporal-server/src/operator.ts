// OperatorService: the search attribute administration the SDK's tests and `temporal operator
// search-attribute` use (add, list, remove). Every other operator method answers UNIMPLEMENTED.
// Attributes are one registry for all namespaces (the store is shared too).
import { alreadyExists, invalidArgument, notFound } from './errors.js';
import type { Engine } from './engine.js';
import type { Obj, T } from './proto.js';
import { indexedValueTypeName, indexedValueTypeNumber } from './search-attributes.js';
import type { Handlers } from './service.js';

export function operatorHandlers(engine: Engine, namespaceExists: (name: string) => boolean): Handlers {
  const types = engine.searchAttributeTypes;
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
