/**
 * Bundle sizes from the built app (`npx vite build`, adapter-static, in build/): for each route,
 * the JavaScript a first visit loads before the page can render (the entry scripts index.html
 * starts, the root layout and the route's page node, with everything they import statically) and
 * the total it can load (plus every chunk reachable through dynamic `import()`, e.g. the
 * verification engine that the home page loads when Verify is pressed). Sizes are raw and
 * gzip -9, per file, summed over distinct files.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface RouteBundle {
  route: string;
  /** Page node and layout nodes the route uses (SvelteKit's client manifest). */
  nodes: number[];
  firstLoadFiles: number;
  firstLoadBytes: number;
  firstLoadGzip: number;
  totalFiles: number;
  totalBytes: number;
  totalGzip: number;
  /** total - first load (gzip): what is fetched on demand. */
  lazyGzip: number;
}

export interface BundleSection {
  buildDir: string;
  /** Every .js file of the build. */
  allJsFiles: number;
  allJsBytes: number;
  allJsGzip: number;
  /** The JS index.html itself references (modulepreload + the bootstrapping imports). */
  shellFiles: string[];
  routes: RouteBundle[];
  /** The largest chunks (gzip), to show what dominates. */
  largest: { file: string; bytes: number; gzip: number }[];
  builtAt: string;
}

async function listJs(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listJs(p, base)));
    else if (entry.name.endsWith('.js')) out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out;
}

/** Static and dynamic import specifiers of one built chunk (relative ones only). */
export function importsOf(code: string): { statics: string[]; dynamics: string[] } {
  const statics = new Set<string>();
  const dynamics = new Set<string>();
  // `import{a as b}from"./x.js"`, `import"./x.js"`, `export{…}from"./x.js"`, `import*as x from"./x.js"`
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*)["'](\.{1,2}\/[^"']+\.js)["']/g)) statics.add(m[1]!);
  for (const m of code.matchAll(/\bimport\(\s*["'](\.{1,2}\/[^"']+\.js)["']\s*\)/g)) dynamics.add(m[1]!);
  return { statics: [...statics], dynamics: [...dynamics] };
}

export async function measureBundle(buildDir: string): Promise<BundleSection> {
  const root = path.join(buildDir, '_app', 'immutable');
  const html = await readFile(path.join(buildDir, 'index.html'), 'utf8');
  const files = await listJs(root);
  const size = new Map<string, { bytes: number; gzip: number }>();
  const graph = new Map<string, { statics: string[]; dynamics: string[] }>();
  for (const f of files) {
    const code = await readFile(path.join(root, f));
    size.set(f, { bytes: code.length, gzip: gzipSync(code, { level: 9 }).length });
    const { statics, dynamics } = importsOf(code.toString('utf8'));
    const resolve = (spec: string) => path.posix.normalize(path.posix.join(path.posix.dirname(f), spec));
    graph.set(f, { statics: statics.map(resolve), dynamics: dynamics.map(resolve) });
  }
  for (const [f, g] of graph) {
    for (const d of [...g.statics, ...g.dynamics]) if (!size.has(d)) throw new Error(`bundle: ${f} imports ${d}, which is not in the build`);
  }

  // What index.html loads: modulepreload links and the bootstrapping import()s.
  const shell = new Set<string>();
  for (const m of html.matchAll(/(?:href=|import\()\s*["']\/_app\/immutable\/([^"']+\.js)["']/g)) shell.add(m[1]!);
  if (shell.size === 0) throw new Error('bundle: index.html references no /_app/immutable scripts');
  const app = [...shell].find((f) => f.startsWith('entry/app.'));
  if (!app) throw new Error('bundle: index.html does not load entry/app.*.js');
  const appCode = await readFile(path.join(root, app), 'utf8');
  const dict = /\{("\/[^{}]*?":\[[^\]]*\][^{}]*)\}/.exec(appCode);
  if (!dict) throw new Error('bundle: no route dictionary found in entry/app.*.js');
  const dictionary = JSON.parse(`{${dict[1]}}`) as Record<string, (number | number[])[]>;
  const nodeFile = (i: number): string => {
    const f = files.find((x) => x.startsWith(`nodes/${i}.`));
    if (!f) throw new Error(`bundle: nodes/${i}.*.js is missing`);
    return f;
  };

  const staticClosure = (starts: Iterable<string>): Set<string> => {
    const seen = new Set<string>();
    const stack = [...starts];
    while (stack.length) {
      const f = stack.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      stack.push(...graph.get(f)!.statics);
    }
    return seen;
  };
  const sum = (set: Set<string>) => [...set].reduce((a, f) => ({ bytes: a.bytes + size.get(f)!.bytes, gzip: a.gzip + size.get(f)!.gzip }), { bytes: 0, gzip: 0 });

  const routes: RouteBundle[] = [];
  for (const [route, entry] of Object.entries(dictionary)) {
    // SvelteKit: [leaf, layouts?, errors?]; the root layout (0) always applies; ~n = server load.
    const leaf = entry[0] as number;
    const layouts = Array.isArray(entry[1]) ? (entry[1] as number[]) : [];
    const nodes = [0, ...layouts.map((n) => (n < 0 ? ~n : n)), leaf < 0 ? ~leaf : leaf];
    const own = new Set(nodes.map(nodeFile));
    const first = staticClosure([...shell, ...own]);
    // Everything reachable, except other routes' page nodes (app.js can import every node).
    const total = new Set(first);
    const stack = [...first];
    while (stack.length) {
      const f = stack.pop()!;
      for (const d of [...graph.get(f)!.statics, ...graph.get(f)!.dynamics]) {
        if (total.has(d) || (d.startsWith('nodes/') && !own.has(d))) continue;
        total.add(d);
        stack.push(d);
      }
    }
    const a = sum(first);
    const b = sum(total);
    routes.push({
      route,
      nodes,
      firstLoadFiles: first.size,
      firstLoadBytes: a.bytes,
      firstLoadGzip: a.gzip,
      totalFiles: total.size,
      totalBytes: b.bytes,
      totalGzip: b.gzip,
      lazyGzip: b.gzip - a.gzip
    });
  }
  const all = sum(new Set(files));
  const largest = [...size]
    .sort((x, y) => y[1].gzip - x[1].gzip)
    .slice(0, 5)
    .map(([file, s]) => ({ file, ...s }));
  return {
    buildDir,
    allJsFiles: files.length,
    allJsBytes: all.bytes,
    allJsGzip: all.gzip,
    shellFiles: [...shell],
    routes,
    largest,
    builtAt: (await stat(path.join(buildDir, 'index.html'))).mtime.toISOString()
  };
}
