// A short run of the fuzz harness (npm run fuzz does 10,000): hostile mails through the real parser and
// handler, the real workflows behind them. None crashes the intake, each ends processed or quarantined
// with a reason, and nothing is approved.
import { describe, expect, it } from 'vitest';
import { runFuzz } from '../support/fuzz.js';

describe('fuzz (short)', () => {
  it('300 hostile mails: no crash, no unhandled rejection, each filed with a reason, no approval', async () => {
    const summary = await runFuzz({ count: 300, seed: 7 });
    expect(summary.firstCrashes).toEqual([]);
    expect(summary).toMatchObject({ crashes: 0, unhandledRejections: 0, withoutReason: 0, approvals: 0, ok: true });
    expect(summary.processed + summary.quarantined).toBe(300);
    expect(Object.keys(summary.shapes).length).toBeGreaterThanOrEqual(12);
  }, 240_000);
});
