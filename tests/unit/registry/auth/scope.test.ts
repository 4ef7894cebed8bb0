import { describe, expect, it } from 'vitest';
import { mergeScopes, parseScope, repositoryScope, scopesCover } from '../../../../src/lib/registry/auth/scope';

describe('scopes', () => {
  it('builds and parses repository scopes', () => {
    expect(repositoryScope('org/app', ['push', 'pull', 'pull'])).toBe('repository:org/app:pull,push');
    expect(parseScope('registry:catalog:*')).toEqual({ resource: 'registry:catalog', actions: ['*'] });
    expect(parseScope('repository(plugin):a/b:pull')).toEqual({ resource: 'repository(plugin):a/b', actions: ['pull'] });
    expect(parseScope('nonsense')).toBeUndefined();
  });

  it('merges actions per resource, splits space-separated challenge scopes, sorts', () => {
    expect(mergeScopes(['repository:b:pull', 'repository:a:push', 'repository:a:pull', 'repository:c:pull repository:c:delete'])).toEqual([
      'repository:a:pull,push',
      'repository:b:pull',
      'repository:c:delete,pull'
    ]);
    expect(mergeScopes(['repository:a:pull', 'repository:a:*'])).toEqual(['repository:a:*']);
  });

  it('decides whether granted scopes cover wanted ones', () => {
    expect(scopesCover(['repository:a:pull,push'], ['repository:a:pull'])).toBe(true);
    expect(scopesCover(['repository:a:pull'], ['repository:a:pull,push'])).toBe(false);
    expect(scopesCover(['repository:a:*'], ['repository:a:delete'])).toBe(true);
    expect(scopesCover(['repository:a:pull'], ['repository:b:pull'])).toBe(false);
    expect(scopesCover([], [])).toBe(true);
  });
});
