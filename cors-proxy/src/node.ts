/**
 * Node entry point:
 *   npx tsx cors-proxy/src/node.ts --config cors-proxy.json
 * Configuration comes from the JSON file (--config or SIGNET_PROXY_CONFIG) and SIGNET_PROXY_*
 * environment variables (see README.md). Logs one JSON line per request on stdout; diagnostics
 * on stderr. Stops cleanly on SIGINT/SIGTERM.
 */
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import { pathToFileURL } from 'node:url';
import { ProxyConfigError, parseProxyConfig, type ProxyConfig } from './config';
import { createProxyHandler, type HandlerDeps, type ProxyLogLine } from './handler';
import { createNodeTransport, type NodeTransport } from './node-transport';
import { createProxyServer, listen } from './node-server';

/** Resolves with the operating system's resolver (what the rest of the host uses), all addresses. */
export async function systemResolve(hostname: string): Promise<readonly string[]> {
  const results = await lookup(hostname, { all: true, verbatim: true });
  return results.map((r) => r.address);
}

export interface RunningProxy {
  readonly url: string;
  readonly server: http.Server;
  readonly config: ProxyConfig;
  /** Requests in flight (for one client address, or overall). */
  inFlight(client?: string): number;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly resolve?: HandlerDeps['resolve'];
  readonly log?: (line: ProxyLogLine) => void;
  readonly transport?: NodeTransport;
}

/** Starts the proxy in this process (used by the CLI below and by tests). */
export async function startProxy(config: ProxyConfig, options: StartOptions = {}): Promise<RunningProxy> {
  const transport = options.transport ?? createNodeTransport();
  const handler = createProxyHandler(config, {
    transport,
    resolve: options.resolve ?? systemResolve,
    log: options.log ?? ((line) => process.stdout.write(`${JSON.stringify(line)}\n`))
  });
  const server = createProxyServer({ config, handler });
  const url = await listen(server, config);
  return {
    url,
    server,
    config,
    inFlight: (client?: string) => handler.inFlight(client),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        transport.close();
      })
  };
}

/** Reads the configuration the CLI way: --config / SIGNET_PROXY_CONFIG file, then the environment. */
export async function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<ProxyConfig> {
  let path: string | undefined = env.SIGNET_PROXY_CONFIG;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--config') {
      path = argv[++i];
      if (!path) throw new ProxyConfigError('--config', 'expects a file path');
    } else if (a?.startsWith('--config=')) {
      path = a.slice('--config='.length);
    } else {
      throw new ProxyConfigError(a ?? '', 'unknown argument; usage: node.ts [--config <file.json>]');
    }
  }
  let raw: unknown = {};
  if (path) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw new ProxyConfigError('--config', `cannot read ${path}: ${(e as Error).message}`);
    }
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ProxyConfigError('--config', `${path} is not valid JSON`);
    }
  }
  return parseProxyConfig(raw, env);
}

async function main(): Promise<void> {
  let config: ProxyConfig;
  try {
    config = await loadConfig(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  if (config.rules.length === 0) {
    process.stderr.write('warning: the allowlist is empty; every proxied request will be refused\n');
  }
  if (config.allowedOrigins.length === 0) {
    process.stderr.write('warning: allowedOrigins is empty; browsers will not be able to use this proxy\n');
  }
  const proxy = await startProxy(config);
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg: 'listening', url: proxy.url })}\n`);
  const stop = () => {
    void proxy.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 3_000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main();
}
