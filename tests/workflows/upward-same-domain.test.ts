// The two-deployment 上报 suite again, the school's and the bureau's inboxes at one mail provider (both
// @school.test, as two 163.com mailboxes would be): each takes the other's mail for what it is, not for its own
// mail come back (intake/loop.ts, `peer`).
process.env.BAOSONG_TEST_UPWARD_SAME_DOMAIN = '1';
await import('./upward-e2e.test.js');
