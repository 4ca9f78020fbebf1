// Test suites get their Temporal environment here; the code lives beside the server it launches.
export * from '../../temporal-server/testing.js';
