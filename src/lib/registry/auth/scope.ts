/**
 * Token scopes, `resourcetype[(class)]:name:action[,action…]` (distribution auth/scope.md).
 * Scopes for the same resource are merged so one token covers e.g. `pull,push`.
 * https://distribution.github.io/distribution/spec/auth/scope/
 */

export type RepositoryAction = 'pull' | 'push' | 'delete' | '*';

/** `repository:<name>:<actions>` with the actions sorted and deduplicated. */
export function repositoryScope(repository: string, actions: readonly RepositoryAction[]): string {
  return `repository:${repository}:${normaliseActions(actions).join(',')}`;
}

interface ParsedScope {
  resource: string; // "type:name" (type may carry a "(class)")
  actions: string[];
}

/** Splits a scope at its first and last colon; names may contain colons (`registry:catalog:*`). */
export function parseScope(scope: string): ParsedScope | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first || last === scope.length - 1) return undefined;
  const actions = scope
    .slice(last + 1)
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (actions.length === 0) return undefined;
  return { resource: scope.slice(0, last), actions };
}

function normaliseActions(actions: readonly string[]): string[] {
  const set = new Set(actions.filter((a) => a !== ''));
  if (set.has('*')) return ['*'];
  return [...set].sort();
}

/**
 * Merges scopes: the actions of each resource are unioned (`*` absorbs the rest); scopes that do
 * not parse are kept verbatim. The result is sorted so it can serve as a cache key.
 */
export function mergeScopes(scopes: readonly string[]): string[] {
  const byResource = new Map<string, string[]>();
  const opaque = new Set<string>();
  for (const raw of scopes) {
    // A challenge's scope parameter may hold several space-separated scopes.
    for (const scope of raw.split(' ')) {
      if (scope === '') continue;
      const parsed = parseScope(scope);
      if (!parsed) {
        opaque.add(scope);
        continue;
      }
      byResource.set(parsed.resource, [...(byResource.get(parsed.resource) ?? []), ...parsed.actions]);
    }
  }
  const out = [...opaque];
  for (const [resource, actions] of byResource) out.push(`${resource}:${normaliseActions(actions).join(',')}`);
  return out.sort();
}

/** True when the `granted` scopes include every action of every `wanted` scope. */
export function scopesCover(granted: readonly string[], wanted: readonly string[]): boolean {
  const have = new Map<string, Set<string>>();
  const opaque = new Set<string>();
  for (const g of mergeScopes(granted)) {
    const p = parseScope(g);
    if (p) have.set(p.resource, new Set(p.actions));
    else opaque.add(g);
  }
  for (const w of mergeScopes(wanted)) {
    const p = parseScope(w);
    if (!p) {
      if (!opaque.has(w)) return false;
      continue;
    }
    const actions = have.get(p.resource);
    if (!actions) return false;
    if (actions.has('*')) continue;
    if (!p.actions.every((a) => actions.has(a))) return false;
  }
  return true;
}
