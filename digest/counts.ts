/** The one grouped count of received reports that a school's digest and a district's figures share. */
import type { Kysely } from 'kysely';
import type { Tables } from '../db/schema.js';

/**
 * Reports received in [lo, hi) counted per `by` — a school's departments, or a district's schools
 * (district-figures.ts): submitted, on time, late (迟报), sent back at least once. `unit` is the group's id.
 */
export function receivedCountsQuery(db: Kysely<Tables>, lo: string, hi: string, by: 'department_id' | 'school_id') {
  return db
    .selectFrom('reports')
    .where('received_at', '>=', lo)
    .where('received_at', '<', hi)
    .select((eb) => [
      eb.ref(by).as('unit'),
      eb.fn.countAll().as('submitted'),
      eb.fn.sum<string | number>(eb.case().when('timeliness', '=', 'on_time').then(1).else(0).end()).as('on_time'),
      eb.fn.sum<string | number>(eb.case().when('timeliness', '=', 'late').then(1).else(0).end()).as('late'),
      eb.fn.sum<string | number>(eb.case().when('returned_count', '>', 0).then(1).else(0).end()).as('returned'),
    ])
    .groupBy(by);
}
