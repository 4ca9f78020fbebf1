/** What activities need from the outside world, handed in once when the worker starts. */
import type { ChatRobots } from '../chat/index.js';
import type { Config } from '../config/schema.js';
import type { Database } from '../db/connect.js';
import type { ReadModel } from '../db/read-model.js';
import type { MailTransport } from '../mail/transport.js';

export interface ActivityDeps {
  config: Config;
  /** The database behind the read model (the digest's aggregate queries run on it). */
  database: Database;
  readModel: ReadModel;
  transport: MailTransport;
  /** HMAC secret for reply tokens and links (from the environment variable the config names). */
  secret: string;
  /** The chat robots (made from the configuration and the environment when absent). */
  chat?: ChatRobots;
  /** For the publish webhook; tests may pass their own. */
  fetch?: typeof fetch;
}
