/**
 * How many modules an import loads: `node scripts/count-modules.mjs <specifier>` (after `npm run build`),
 * e.g. `node scripts/count-modules.mjs temporal-hitl`. Counts ES modules (a load hook) and CommonJS ones (require.cache).
 */
import { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const esm = new Set();
port1.on('message', (url) => esm.add(url));
port1.unref();
const hooks = `
let port;
export function initialize(data) { port = data.port; }
export async function load(url, context, next) { port.postMessage(url); return next(url, context); }
`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, import.meta.url, { data: { port: port2 }, transferList: [port2] });

const specifier = process.argv[2] ?? 'temporal-hitl';
await import(specifier);
await new Promise((r) => setTimeout(r, 100));
const cjs = Object.keys(createRequire(import.meta.url).cache).map((p) => `file://${p}`);
const all = new Set([...esm, ...cjs].filter((u) => !u.startsWith('node:')));
const heavy = ['@temporalio/worker', '@temporalio/core-bridge', '@temporalio/testing'].filter((p) =>
  [...all].some((u) => u.includes(`/${p}/`)),
);
console.log(JSON.stringify({ specifier, modules: all.size, esm: esm.size, cjs: cjs.length, heavy }));
