// The web's shared state in the database (sessions, used nonces, rate-limit counters), on both dialects:
// what two processes on one database must agree on.
import { describe, expect, test } from 'vitest';
import { SharedState } from '../../db/index.js';
import { DIALECTS, useBackend } from './harness.js';

describe.each(DIALECTS)('shared web state on %s', (dialect) => {
  const backend = useBackend(dialect);

  test('a session written by one process is read by another, until it expires or ends', async () => {
    const { database, reopen } = await backend.fresh({ migrated: true });
    const a = new SharedState(database);
    const b = new SharedState(await reopen());
    const now = Date.now();
    await a.createSession('h1', { email: 'office@school.test', name: '周晓梅', expiresAt: now + 60_000 }, now);
    expect(await b.getSession('h1', now + 1000)).toEqual({ email: 'office@school.test', name: '周晓梅', expiresAt: now + 60_000 });
    expect(await b.getSession('h1', now + 60_000)).toBeNull();
    await b.endSession('h1');
    expect(await a.getSession('h1', now)).toBeNull();
  });

  test('a nonce is accepted once, even when many processes try it at the same moment', async () => {
    const { database, reopen } = await backend.fresh({ migrated: true });
    const states = [new SharedState(database), new SharedState(await reopen()), new SharedState(await reopen())];
    const expiresAt = Date.now() + 900_000;
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => states[i % 3]!.useNonce('n-1', expiresAt)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await states[0]!.useNonce('n-2', expiresAt)).toBe(true);
  });

  test('rate-limit hits are counted together and the window resets', async () => {
    const { database, reopen } = await backend.fresh({ migrated: true });
    const a = new SharedState(database);
    const b = new SharedState(await reopen());
    const now = Date.now();
    const counts = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).hit('POST /submit|1.2.3.4', 60_000, now)));
    expect(counts.map((c) => c.count).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await a.hit('POST /submit|5.6.7.8', 60_000, now)).count).toBe(1);
    const later = await b.hit('POST /submit|1.2.3.4', 60_000, now + 60_000);
    expect(later).toEqual({ count: 1, resetsInMs: 60_000 });
  });

  test('the sweep deletes only what has expired', async () => {
    const { database } = await backend.fresh({ migrated: true });
    const s = new SharedState(database);
    const now = Date.now();
    await s.createSession('old', { email: 'a@x', name: 'A', expiresAt: now - 1 }, now);
    await s.createSession('new', { email: 'b@x', name: 'B', expiresAt: now + 60_000 }, now);
    await s.useNonce('old', now - 1, now);
    await s.sweep(now);
    expect(await database.db.selectFrom('web_sessions').select('id_hash').execute()).toEqual([{ id_hash: 'new' }]);
    expect(await s.useNonce('old', now + 1000, now)).toBe(true); // its row was swept: it had expired anyway
  });
});
