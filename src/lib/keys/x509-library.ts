/**
 * Loads @peculiar/x509 (certificate and CSR generation) on demand.
 *
 * Why a shim: @peculiar/x509 uses tsyringe, which throws at load time unless the Reflect metadata
 * API (`Reflect.getMetadata` & co., from the `reflect-metadata` package) exists. tsyringe only
 * calls three functions, so a WeakMap-backed stand-in for exactly those is enough and spares the
 * app a global polyfill dependency. It is installed only if nothing else provided the API.
 *
 * Why dynamic: the library must load after the shim (a static import would be evaluated first),
 * and it is large, so pages that never create certificates never download it.
 */
import type * as X509 from '@peculiar/x509';

function installReflectMetadata(): void {
  const R = Reflect as unknown as Record<string, unknown>;
  if (typeof R.getMetadata === 'function') return;
  const tables = new WeakMap<object, Map<unknown, unknown>>();
  const tableOf = (target: object, create: boolean): Map<unknown, unknown> | undefined => {
    let table = tables.get(target);
    if (!table && create) tables.set(target, (table = new Map()));
    return table;
  };
  R.defineMetadata = (key: unknown, value: unknown, target: object): void => {
    tableOf(target, true)!.set(key, value);
  };
  R.getOwnMetadata = (key: unknown, target: object): unknown => tableOf(target, false)?.get(key);
  R.getMetadata = (key: unknown, target: object): unknown => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
      const table = tableOf(t, false);
      if (table?.has(key)) return table.get(key);
    }
    return undefined;
  };
}

let loading: Promise<typeof X509> | undefined;

/** The @peculiar/x509 module, loaded once, after the Reflect metadata shim. */
export function loadX509(): Promise<typeof X509> {
  if (!loading) {
    installReflectMetadata();
    loading = import('@peculiar/x509');
  }
  return loading;
}
