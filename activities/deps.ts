/** What activities need from the outside world, handed in once when the worker starts. */
import type { ChatRobots } from '../chat/index.js';
import type { Config } from '../config/schema.js';
import type { Database } from '../db/connect.js';
import type { ReadModel } from '../db/read-model.js';
import type { MailTransport } from '../mail/transport.js';

/** What a bureau reads across its district: the database without a school's scope, and its schools by id and name. */
export interface DistrictView {
  root: Database;
  schools: readonly { id: string; name: string }[];
}

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
  /**
   * The bureau's configuration in a district's deployment only (deployment.bureau): the unscoped database and the
   * district's schools, so its weekly digest carries every school's figures (digest/district-figures.ts).
   */
  district?: DistrictView;
  /** For the publish webhook; tests may pass their own. */
  fetch?: typeof fetch;
}
