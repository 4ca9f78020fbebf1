// Namespaces, as Temporal answers about them: "default" exists, others exist once registered
// (RegisterNamespace) or listed in TEMPORAL_TEST_SERVER_NAMESPACES (comma-separated). A request
// naming any other namespace is NOT_FOUND with a NamespaceNotFoundFailure, which the client turns
// into NamespaceNotFoundError, as against a real server. Everything else is still one shared store.
import { namespaceAlreadyExists, namespaceNotFound, invalidArgument } from './errors.js';
import type { Obj, T } from './proto.js';
import type { Handlers } from './service.js';

const DEFAULT_NAMESPACE = 'default';
/** Methods that take no namespace or create one. */
const UNCHECKED = new Set(['GetSystemInfo', 'RegisterNamespace', 'ListNamespaces']);

interface NamespaceInfo {
  name: string;
  id: string;
  description: string;
  retentionSeconds: number;
}

export class Namespaces {
  private readonly known = new Map<string, NamespaceInfo>();
  /** The payload limits DescribeNamespace tells workers (the engine's blob size limit; Temporal's 2 MiB memo limit). */
  /** Namespace capabilities DescribeNamespace reports (those this server has; see main.ts). */
  capabilities: () => Record<string, boolean> = () => ({});
  limits: () => { blobSizeLimitError: number; memoSizeLimitError: number } = () => ({ blobSizeLimitError: 2 * 1024 * 1024, memoSizeLimitError: 2 * 1024 * 1024 });

  constructor(extra: string | undefined = process.env.TEMPORAL_TEST_SERVER_NAMESPACES) {
    this.add(DEFAULT_NAMESPACE, 'baosong test server namespace', 86_400);
    for (const name of (extra ?? '').split(',').map((s) => s.trim()).filter(Boolean)) this.add(name, '', 86_400);
  }

  private add(name: string, description: string, retentionSeconds: number): NamespaceInfo {
    const ns = { name, id: namespaceId(name), description, retentionSeconds };
    this.known.set(name, ns);
    return ns;
  }

  /** The namespace a request names ("" means default), or NOT_FOUND. */
  check(name: string | null | undefined): NamespaceInfo {
    const ns = this.known.get(name || DEFAULT_NAMESPACE);
    if (!ns) throw namespaceNotFound(name ?? '');
    return ns;
  }

  /** A namespace given on the command line (--namespace): added unless known. */
  ensure(name: string): void {
    if (name && !this.known.has(name)) this.add(name, '', 86_400);
  }

  has(name: string | null | undefined): boolean {
    return this.known.has(name || DEFAULT_NAMESPACE);
  }

  /** Wrap handlers so that each rejects an unknown namespace before doing anything. */
  guard(handlers: Handlers): Handlers {
    const guarded: Handlers = {};
    for (const [method, handler] of Object.entries(handlers)) {
      guarded[method] = UNCHECKED.has(method)
        ? handler
        : (req, ctx) => {
            this.check((req as { namespace?: string | null }).namespace);
            return handler(req, ctx);
          };
    }
    return guarded;
  }

  handlers(): Handlers {
    const describe = (ns: NamespaceInfo): Obj => ({
      namespaceInfo: { name: ns.name, id: ns.id, state: 1, description: ns.description, limits: this.limits(), capabilities: this.capabilities() },
      config: { workflowExecutionRetentionTtl: { seconds: ns.retentionSeconds } },
      isGlobalNamespace: false,
    });
    return {
      DescribeNamespace: (req: T.api.workflowservice.v1.IDescribeNamespaceRequest) => {
        const byId = req.id ? [...this.known.values()].find((n) => n.id === req.id) : undefined;
        if (req.id && !byId) throw namespaceNotFound(req.id);
        return Promise.resolve(describe(byId ?? this.check(req.namespace)));
      },
      RegisterNamespace: (req: T.api.workflowservice.v1.IRegisterNamespaceRequest) => {
        if (!req.namespace) throw invalidArgument('Namespace is not set on request.');
        if (this.known.has(req.namespace)) throw namespaceAlreadyExists(req.namespace);
        this.add(req.namespace, req.description ?? '', Number(req.workflowExecutionRetentionPeriod?.seconds ?? 86_400));
        return Promise.resolve({});
      },
      ListNamespaces: () => Promise.resolve({ namespaces: [...this.known.values()].map(describe) }),
    };
  }
}

/** A stable, uuid-shaped id per name (the default namespace keeps the id it always had). */
function namespaceId(name: string): string {
  if (name === DEFAULT_NAMESPACE) return '6f3b6a7e-1d1c-4b8e-9d1a-baosong00001';
  let h = 2166136261;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return `6f3b6a7e-1d1c-4b8e-9d1a-${h.toString(16).padStart(12, '0')}`;
}
