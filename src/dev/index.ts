/** `temporal-hitl/dev`: a Temporal dev server with our search attributes, the CLI resolver, and the test harness. */
export { startDevServer, type DevServerOptions } from './dev-server.js';
export { resolveTemporalCli, resolveTestServer, cacheDir, type ResolvedCli } from './temporal-cli.js';
export { withServer } from './with-server.js';
export * from './harness.js';
