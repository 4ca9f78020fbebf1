/**
 * Schema migrations, listed in code (no folder is read at run time, so this works bundled too).
 * Add a migration: write NNNN-name.ts exporting a function of the dialect, and list it below under a
 * key that sorts after the others. Never rename or edit a migration that has shipped.
 */
import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely/migration';
import type { Database, Dialect } from '../connect.js';
import { DatabaseError, describe } from '../errors.js';
import { readModelMigration } from './0001-read-model.js';
import { expectedAndDigestsMigration } from './0002-expected-and-digests.js';
import { chatMessagesMigration } from './0003-chat-messages.js';
import { sharedStateMigration } from './0004-shared-state.js';
import { quarantineDeskMigration } from './0005-quarantine-desk.js';
import { reportFindingsMigration } from './0006-report-findings.js';
import { workerBeatsMigration } from './0007-worker-beats.js';
import { usesAndScoringMigration } from './0008-uses-and-scoring.js';
import { schoolIdMigration } from './0009-school-id.js';
import { districtFiguresMigration } from './0010-district-figures.js';

export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-read-model': readModelMigration(dialect),
    '0002-expected-and-digests': expectedAndDigestsMigration(dialect),
    '0003-chat-messages': chatMessagesMigration(dialect),
    '0004-shared-state': sharedStateMigration(dialect),
    '0005-quarantine-desk': quarantineDeskMigration(dialect),
    '0006-report-findings': reportFindingsMigration(dialect),
    '0007-worker-beats': workerBeatsMigration(dialect),
    '0008-uses-and-scoring': usesAndScoringMigration(dialect),
    '0009-school-id': schoolIdMigration(dialect),
    '0010-district-figures': districtFiguresMigration(),
  };
}

function provider(dialect: Dialect): MigrationProvider {
  return { getMigrations: () => Promise.resolve(migrations(dialect)) };
}

export interface MigrateResult {
  /** The migrations this call applied, in order (empty when the schema was already current). */
  applied: string[];
}

/** Brings the schema up to date. Safe to run again, and from several processes at once (a lock table serialises them). */
export async function migrateToLatest(database: Database): Promise<MigrateResult> {
  const migrator = new Migrator({
    db: database.root, // the schema is the district's, not one school's
    provider: provider(database.dialect),
    migrationTableName: 'baosong_migration',
    migrationLockTableName: 'baosong_migration_lock',
  });
  let outcome: MigrationResultSet;
  try {
    outcome = await migrator.migrateToLatest();
  } catch (error) {
    throw new DatabaseError('EDB_MIGRATE', `Cannot migrate the ${database.dialect} database: ${describe(error)}.`, { cause: error });
  }
  const failed = outcome.results?.find((r) => r.status === 'Error');
  if (outcome.error !== undefined) {
    const which = failed ? `migration ${failed.migrationName} failed` : 'migrating failed';
    throw new DatabaseError(
      'EDB_MIGRATE',
      `Cannot migrate the ${database.dialect} database: ${which}: ${describe(outcome.error)}. ` +
        'Fix the cause (permissions, a table of that name made by hand) and run again.',
      { cause: outcome.error },
    );
  }
  return { applied: (outcome.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
