/**
 * Errors from the read model. Each has a `code` to branch on and a message that says what to fix.
 *
 *   EDB_CONFIG      the options given to openDatabase cannot work (no file or url, unknown URL scheme)
 *   EDB_CONNECT     the database could not be opened or reached
 *   EDB_MIGRATE     a schema migration failed
 *   EDB_INVALID     a value handed to the repository is not usable (e.g. an unreadable timestamp)
 *   EDB_NO_REPORT   a row refers to a report number that has not been recorded yet
 *   EDB_NOT_FOUND   the row to update does not exist
 *   EDB_REPORT_NUMBER  a report number could not be allocated
 */
import type { ErrorCodes } from '../domain/errors.js';
export type DatabaseErrorCode = ErrorCodes<
  | 'EDB_CONFIG'
  | 'EDB_CONNECT'
  | 'EDB_MIGRATE'
  | 'EDB_INVALID'
  | 'EDB_NO_REPORT'
  | 'EDB_NOT_FOUND'
  | 'EDB_REPORT_NUMBER'
>;

export class DatabaseError extends Error {
  readonly code: DatabaseErrorCode;

  constructor(code: DatabaseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseError';
    this.code = code;
  }
}

/** The driver's own error code (SQLITE_CONSTRAINT_FOREIGNKEY, pg SQLSTATE 23503, ECONNREFUSED, …), if any. */
export function driverCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Whether the error is a foreign key violation, on either dialect. */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
