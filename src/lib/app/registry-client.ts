/**
 * The app's registry client: Signet's registry layer over the routed fetch (direct or through the
 * CORS proxy, per settings), the person's credentials, the hosts they marked as plain HTTP, and
 * an in-memory digest cache, with every HTTP exchange reported for progress and traces.
 */
import { createRegistryClient, type RegistryClient } from '../registry/client';
import { DigestCache } from '../registry/cache';
import type { ExchangeObserver, FetchLike } from '../registry/http';
import type { CredentialProvider } from '../registry/auth/credentials';
import { createRoutedFetch, type RegistryRoute, type RoutedFetch } from './routing';
import type { ProxySettings } from './settings';

export interface AppRegistryClientOptions {
  proxy: ProxySettings | null;
  appOrigin: string;
  credentials?: CredentialProvider;
  insecureRegistries?: readonly string[];
  fetch?: FetchLike;
  onExchange?: ExchangeObserver;
  onRoute?: (url: string, route: RegistryRoute) => void;
  cache?: DigestCache;
}

export interface AppRegistryClient {
  readonly client: RegistryClient;
  readonly fetch: RoutedFetch;
}

export function createAppRegistryClient(options: AppRegistryClientOptions): AppRegistryClient {
  const routed = createRoutedFetch({
    proxy: options.proxy,
    appOrigin: options.appOrigin,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.onRoute ? { onRoute: options.onRoute } : {})
  });
  const insecure = new Set(options.insecureRegistries ?? []);
  const client = createRegistryClient({
    fetch: routed,
    insecure: (host) => insecure.has(host.toLowerCase()),
    cache: options.cache ?? new DigestCache(),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.onExchange ? { onExchange: options.onExchange } : {})
  });
  return { client, fetch: routed };
}
