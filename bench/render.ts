/**
 * Prints the Markdown tables of a results file (default bench/results.json), as `npm run bench`
 * does at the end of a run; used to refresh docs/benchmarks.md from a saved run.
 *
 *   npx tsx bench/render.ts [results.json]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderResults, type BenchResults } from './lib/report';

const file = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'results.json');
const results = JSON.parse(await readFile(file, 'utf8')) as BenchResults;
process.stdout.write(renderResults(results));
