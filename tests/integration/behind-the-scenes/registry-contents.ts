/**
 * What a REAL registry holds for an artifact, listed with plain fetch calls on the Distribution
 * API — independently of Signet's registry layer — to cross-check the object graph: tags/list and
 * HEAD per tag, GET of every manifest (config, layers, index entries, subject), and referrers
 * through the Referrers API (olareg) or the `sha256-<hex>` tag index (distribution).
 * Also a spying fetch that records what was really sent (order, Authorization values, tokens).
 */
import type { RunningRegistry } from '../../helpers/registries';

const ACCEPT_ALL = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json'
].join(',');
const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

interface Desc {
  mediaType: string;
  digest: string;
  size: number;
}

export interface RegistryContents {
  /** Node ids as the graph names them: digests, and `tag:<name>`. */
  nodes: Set<string>;
  /** `from -relation-> to`. */
  edges: Set<string>;
  tags: string[];
  /** Referrer manifest digests per subject, as the registry lists them. */
  referrers: Map<string, string[]>;
  /** Tag index digest per subject (tag-schema registries). */
  tagIndexes: Map<string, string>;
  /** Manifest bytes as served, by digest. */
  manifests: Map<string, string>;
  /** Blob sizes as the registry reports them (HEAD), by digest. */
  blobs: Map<string, number>;
}

export class RawApi {
  constructor(
    readonly reg: RunningRegistry,
    readonly repository: string,
    readonly basic?: { username: string; password: string }
  ) {}

  async get(path: string, init: { method?: string; accept?: string } = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (init.accept) headers.Accept = init.accept;
    if (this.basic) headers.Authorization = `Basic ${btoa(`${this.basic.username}:${this.basic.password}`)}`;
    return fetch(`${this.reg.url}/v2/${this.repository}/${path}`, { method: init.method ?? 'GET', headers });
  }

  async json(path: string, accept?: string): Promise<{ status: number; body: unknown; text: string; digest: string | null }> {
    const r = await this.get(path, accept ? { accept } : {});
    const text = await r.text();
    return { status: r.status, body: r.status === 200 ? JSON.parse(text) : null, text, digest: r.headers.get('docker-content-digest') };
  }

  async tags(): Promise<string[]> {
    const r = await this.json('tags/list');
    if (r.status !== 200) throw new Error(`tags/list answered ${r.status}: ${r.text}`);
    return ((r.body as { tags: string[] | null }).tags ?? []).slice().sort();
  }

  async headManifest(reference: string): Promise<string | null> {
    const r = await this.get(`manifests/${reference}`, { method: 'HEAD', accept: ACCEPT_ALL });
    return r.status === 200 ? r.headers.get('docker-content-digest') : null;
  }

  async headBlob(digest: string): Promise<number | null> {
    const r = await this.get(`blobs/${digest}`, { method: 'HEAD' });
    return r.status === 200 ? Number(r.headers.get('content-length')) : null;
  }

  /** Everything the registry holds for `root`, following the same relations the graph names. */
  async contents(root: string, via: 'referrers-api' | 'tag-schema'): Promise<RegistryContents> {
    const out: RegistryContents = { nodes: new Set(), edges: new Set(), tags: [], referrers: new Map(), tagIndexes: new Map(), manifests: new Map(), blobs: new Map() };
    const edge = (from: string, relation: string, to: string) => out.edges.add(`${from} -${relation}-> ${to}`);
    const subjects: string[] = [];

    const visit = async (digest: string, artifactPart: boolean): Promise<void> => {
      if (out.manifests.has(digest)) return;
      const r = await this.json(`manifests/${digest}`, ACCEPT_ALL);
      if (r.status !== 200) throw new Error(`GET manifest ${digest} answered ${r.status}`);
      out.manifests.set(digest, r.text);
      out.nodes.add(digest);
      const m = r.body as { mediaType?: string; config?: Desc; layers?: Desc[]; manifests?: Desc[]; subject?: Desc };
      if (m.manifests) {
        for (const e of m.manifests) {
          out.nodes.add(e.digest);
          edge(digest, 'index-entry', e.digest);
          if (artifactPart) {
            await visit(e.digest, true);
            subjects.push(e.digest);
          }
        }
      } else {
        for (const [relation, list] of [['config', m.config ? [m.config] : []], ['layer', m.layers ?? []]] as const) {
          for (const b of list) {
            out.nodes.add(b.digest);
            edge(digest, relation, b.digest);
            const size = await this.headBlob(b.digest);
            if (size === null) throw new Error(`the registry does not have blob ${b.digest}`);
            out.blobs.set(b.digest, size);
          }
        }
      }
      if (m.subject) edge(digest, 'subject', m.subject.digest);
    };

    await visit(root, true);
    subjects.unshift(root);
    const seen = new Set<string>();
    while (subjects.length > 0) {
      const subject = subjects.shift()!;
      if (seen.has(subject)) continue;
      seen.add(subject);
      let listed: string[] = [];
      if (via === 'referrers-api') {
        const r = await this.json(`referrers/${subject}`, 'application/vnd.oci.image.index.v1+json');
        if (r.status !== 200) throw new Error(`the Referrers API answered ${r.status} for ${subject}`);
        listed = ((r.body as { manifests: Desc[] | null }).manifests ?? []).map((d) => d.digest);
      } else {
        const tag = subject.replace(':', '-');
        const r = await this.json(`manifests/${tag}`, 'application/vnd.oci.image.index.v1+json');
        if (r.status === 200) {
          const index = r.digest!;
          out.tagIndexes.set(subject, index);
          out.manifests.set(index, r.text);
          out.nodes.add(index);
          listed = ((r.body as { manifests: Desc[] | null }).manifests ?? []).map((d) => d.digest);
          for (const d of listed) edge(index, 'referrer-index-entry', d);
        } else if (r.status !== 404) {
          throw new Error(`GET ${tag} answered ${r.status}`);
        }
      }
      out.referrers.set(subject, listed);
      for (const d of listed) {
        await visit(d, false);
        subjects.push(d);
      }
    }

    out.tags = await this.tags();
    for (const tag of out.tags) {
      const digest = await this.headManifest(tag);
      if (digest !== null && out.nodes.has(digest)) {
        out.nodes.add(`tag:${tag}`);
        edge(`tag:${tag}`, 'tag', digest);
      }
    }
    return out;
  }
}

export function isIndexType(mediaType: string): boolean {
  return INDEX_TYPES.includes(mediaType);
}

export interface SentRequest {
  method: string;
  url: string;
  authorization: string | null;
}

/**
 * A fetch that records every request as it is sent (before any answer), the Authorization value
 * it carried, and the tokens token services hand out, then forwards to the real fetch.
 */
export function spyFetch(): { fetch: typeof fetch; sent: SentRequest[]; tokens: string[] } {
  const sent: SentRequest[] = [];
  const tokens: string[] = [];
  const spy = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    const headers = new Headers(init?.headers);
    sent.push({ method: (init?.method ?? 'GET').toUpperCase(), url, authorization: headers.get('authorization') });
    const response = await fetch(input, init);
    if ((response.headers.get('content-type') ?? '').includes('json') && /token/.test(new URL(url).pathname)) {
      try {
        const body = (await response.clone().json()) as Record<string, unknown>;
        for (const k of ['token', 'access_token', 'refresh_token']) if (typeof body[k] === 'string') tokens.push(body[k] as string);
      } catch {
        // not a token answer
      }
    }
    return response;
  }) as typeof fetch;
  return { fetch: spy, sent, tokens };
}
