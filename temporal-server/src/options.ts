// Command line: `temporal-test-server <port> [options]`, or as the Temporal CLI dev server is started
// (`temporal-test-server server start-dev --port <port> [options]`), so that
// TestWorkflowEnvironment.createLocal can start it too. The options are the dev server's that mean
// something here:
//   --namespace <name>                  another namespace (repeatable)
//   --search-attribute <name>=<Type>    register a custom search attribute (Text, Keyword, Int, Double, Bool, Datetime, KeywordList)
//   --dynamic-config-value <key>=<v>    limit.historyCount.suggestContinueAsNew, limit.historySize.suggestContinueAsNew,
//                                       limit.blobSize.error, limit.blobSize.warn, frontend.enableCancelWorkerPollsOnShutdown,
//                                       activity.longPollTimeout, frontend.enableUpdateWorkflowExecution
// Any other option (--ip, --ui-port, --db-filename, --log-format, unknown dynamic config, …) is
// accepted and ignored, with one line on stderr naming it.
import { typeNameOf } from './search-attributes.js';

export interface ServerOptions {
  port: number;
  namespaces: string[];
  searchAttributes: Array<[string, string]>;
  /** Dynamic config values this server reads (see engine limits). */
  dynamicConfig: Map<string, string>;
  /** What was given and is ignored, to say so. */
  ignored: string[];
}

const FLAGS_WITHOUT_VALUE = new Set(['--headless']);
export const SUPPORTED_DYNAMIC_CONFIG = new Set(['limit.historyCount.suggestContinueAsNew', 'limit.historySize.suggestContinueAsNew', 'limit.blobSize.error', 'limit.blobSize.warn', 'frontend.enableCancelWorkerPollsOnShutdown', 'activity.longPollTimeout', 'frontend.enableUpdateWorkflowExecution']);

export function parseOptions(argv: string[]): ServerOptions | string {
  let portArg: string | undefined;
  let rest: string[];
  if (argv[0] === 'server' && argv[1] === 'start-dev') {
    // As the SDK starts a dev server (TestWorkflowEnvironment.createLocal with an existing-path executable).
    rest = argv.slice(2);
    const i = rest.findIndex((a) => a === '--port' || a === '-p' || a.startsWith('--port='));
    if (i >= 0) {
      portArg = rest[i]!.startsWith('--port=') ? rest[i]!.slice('--port='.length) : rest[i + 1];
      rest.splice(i, rest[i]!.startsWith('--port=') ? 1 : 2);
    }
  } else {
    [portArg, ...rest] = argv;
  }
  const port = portArg === undefined ? 7233 : Number(portArg);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return `usage: temporal-test-server <port> [options]   (got port ${portArg})`;
  const options: ServerOptions = { port, namespaces: [], searchAttributes: [], dynamicConfig: new Map(), ignored: [] };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    // --flag=value or --flag value
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => inline ?? rest[++i] ?? '';
    switch (flag) {
      case '--namespace':
      case '-n':
        options.namespaces.push(value());
        break;
      case '--search-attribute': {
        const [name, typeText] = value().split(/=(.*)/s, 2);
        const type = typeNameOf(typeText ?? '');
        if (!name || !type) return `--search-attribute wants <name>=<Type> (Text, Keyword, Int, Double, Bool, Datetime, KeywordList), got ${name ?? ''}=${typeText ?? ''}`;
        options.searchAttributes.push([name, type]);
        break;
      }
      case '--dynamic-config-value': {
        const [key, v] = value().split(/=(.*)/s, 2);
        if (key && v !== undefined && SUPPORTED_DYNAMIC_CONFIG.has(key)) options.dynamicConfig.set(key, v);
        else options.ignored.push(`--dynamic-config-value ${key ?? ''}`);
        break;
      }
      default:
        if (!arg.startsWith('-')) {
          options.ignored.push(arg);
        } else if (FLAGS_WITHOUT_VALUE.has(flag) || inline !== undefined || (rest[i + 1] ?? '-').startsWith('-')) {
          options.ignored.push(arg);
        } else {
          options.ignored.push(`${arg} ${rest[++i]!}`);
        }
    }
  }
  return options;
}
