/** `tsx bench/render.ts bench/results/<date>.json`: draws the markdown table and the SVG plot again from a result file. */
import { readFile, writeFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';
import { latencySvg, markdown, type ResultSet } from './report.js';

const path = process.argv[2];
if (!path?.endsWith('.json')) throw new Error('usage: tsx bench/render.ts bench/results/<date>.json');
const result = JSON.parse(await readFile(path, 'utf8')) as ResultSet;
const base = path.slice(0, -'.json'.length);
await writeFile(`${base}.md`, await format(markdown(result), { ...(await resolveConfig(path)), parser: 'markdown' }));
if (result.latency.length) await writeFile(`${base}.svg`, await latencySvg(result));
console.log(`wrote ${base}.md${result.latency.length ? ', .svg' : ''}`);
