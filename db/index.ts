/** The read model: open the database, migrate it, record and query reports. */
export { openDatabase, redactUrl, scopeDatabase, type Database, type Dialect, type OpenDatabaseOptions } from './connect.js';
export { migrateToLatest, migrations, type MigrateResult } from './migrations/index.js';
export { ReadModel } from './read-model.js';
export { SharedState, type SharedSession } from './shared-state.js';
export { DatabaseError, type DatabaseErrorCode } from './errors.js';
export type * from './rows.js';
export { EXPECTED_STATUSES, REPORT_EVENT_TYPES } from './rows.js';
export type { Tables } from './schema.js';
