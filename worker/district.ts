/**
 * What a district's worker and intake need for each school (docs/district.md): the school's configuration, its
 * view of the shared PostgreSQL database (every query kept to its rows), its mail transport and its signing key
 * (derived from the deployment secret). Schools whose files have problems are not here; the loader lists them.
 *
 *   const schools = districtSchools(loadDeployment({ path }), database, { deploymentSecret });
 *   const activities = districtActivities(new Map(schools.map((s) => [s.id, createActivities(s)])));
 */
import { schoolSecret, type LoadedDeployment } from '../config/deployment.js';
import type { Config } from '../config/schema.js';
import { scopeDatabase, type Database } from '../db/connect.js';
import { DatabaseError } from '../db/errors.js';
import { ReadModel } from '../db/read-model.js';
import { createMailTransport, type MailTransport } from '../mail/transport.js';

export interface DistrictSchool {
  id: string;
  config: Config;
  /** The shared database, seen as this school. */
  database: Database;
  readModel: ReadModel;
  transport: MailTransport;
  /** The school's signing key (reply tokens, links, sessions): another school's never verifies here. */
  secret: string;
}

export interface DistrictSchoolsOptions {
  /** The deployment secret (its `secrets.hmacSecretEnv`); each school's key is derived from it. */
  deploymentSecret: string;
  env?: NodeJS.ProcessEnv;
  /** How a school sends mail (default: its configuration's SMTP, or its outbox folder). */
  transportFor?: (config: Config) => MailTransport;
}

export function districtSchools(loaded: LoadedDeployment, database: Database, options: DistrictSchoolsOptions): DistrictSchool[] {
  // Report numbers restart per school, so two schools hold the same keys: only PostgreSQL's keys include the school.
  if (database.dialect !== 'postgres') {
    throw new DatabaseError('EDB_CONFIG', `${loaded.deployment.deployment.name}: a deployment of several schools needs PostgreSQL (set DATABASE_URL); SQLite keeps one school`);
  }
  return loaded.schools.map((s) => {
    const scoped = scopeDatabase(database, s.id);
    return {
      id: s.id,
      config: s.config,
      database: scoped,
      readModel: new ReadModel(scoped),
      transport: options.transportFor?.(s.config) ?? createMailTransport(s.config, options.env),
      secret: schoolSecret(options.deploymentSecret, s.id),
    };
  });
}
