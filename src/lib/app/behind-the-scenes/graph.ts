/**
 * The object graph's data model and the pure helpers views need (naming a node, walking edges),
 * apart from the builder (objects.ts) so pages can hold and show graphs without loading the
 * registry layer. See objects.ts for how the graph is read.
 */
import type { InspectSignature } from '../../notary/inspect';
import { EMPTY_JSON, MediaType } from '../../oci/media-types';

export const OBJECT_GRAPH_MEDIA_TYPE = 'application/vnd.signet.object-graph.v1+json';

export type ObjectKind = 'tag' | 'manifest' | 'index' | 'blob';
export type ObjectRole =
  | 'tag'
  /** The manifest or index the reference names. */
  | 'artifact'
  /** A manifest listed in the artifact's index. */
  | 'platform-manifest'
  /** A Notary Project signature manifest (either shape, spec digest §2.1). */
  | 'signature'
  /** Any other manifest with a subject (SBOM, attestation…). */
  | 'referrer'
  /** The `<alg>-<hex>` index that lists referrers on registries without the Referrers API. */
  | 'referrers-tag-index'
  | 'config'
  | 'layer'
  /** A signature envelope (COSE or JWS layer of a signature manifest). */
  | 'envelope'
  /** Named by an edge but not part of the artifact (e.g. a subject declared elsewhere). */
  | 'external';
export type EdgeRelation = 'tag' | 'subject' | 'layer' | 'config' | 'index-entry' | 'referrer-index-entry';

export interface ObjectNode {
  /** The digest for content; `tag:<name>` for a tag. */
  readonly id: string;
  readonly kind: ObjectKind;
  readonly role: ObjectRole;
  readonly mediaType?: string;
  readonly digest?: string;
  readonly size?: number;
  /** Tags: the tag name. */
  readonly tag?: string;
  /** Tags: the digest the tag points at. */
  readonly target?: string;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Platform manifests: `linux/arm64/v8`. */
  readonly platform?: string;
  /** Manifests and indexes: the JSON exactly as stored (the digest is over these bytes). */
  readonly raw?: string;
  /** `raw` was cut at the size cap. */
  readonly rawTruncated?: boolean;
  /** Envelope layers: the decoded envelope, as `notation inspect -o json` shows one signature. */
  readonly envelope?: InspectSignature;
  /** Why this object could not be read, or what was skipped. */
  readonly error?: string;
  readonly note?: string;
}

export interface ObjectEdge {
  readonly from: string;
  readonly to: string;
  readonly relation: EdgeRelation;
}

export interface ObjectGraph {
  readonly mediaType: typeof OBJECT_GRAPH_MEDIA_TYPE;
  /** `registry/repository`. */
  readonly repository: string;
  /** Id (digest) of the artifact node. */
  readonly root: string;
  /** How referrers were found (the first listing's path), or null when none was listed. */
  readonly referrersVia: 'referrers-api' | 'tag-schema' | null;
  readonly nodes: readonly ObjectNode[];
  readonly edges: readonly ObjectEdge[];
  /** A cap was reached: the registry holds more than is shown. */
  readonly truncated: boolean;
  /** Caps reached, tags left out, objects that could not be read. */
  readonly notes: readonly string[];
  readonly builtAt: string;
}

/** Nodes by id, edges from and to each node: what a view needs to walk the graph. */
export interface GraphIndex {
  readonly byId: ReadonlyMap<string, ObjectNode>;
  readonly out: ReadonlyMap<string, readonly ObjectEdge[]>;
  readonly in: ReadonlyMap<string, readonly ObjectEdge[]>;
}

export function indexGraph(graph: ObjectGraph): GraphIndex {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const out = new Map<string, ObjectEdge[]>();
  const inn = new Map<string, ObjectEdge[]>();
  for (const e of graph.edges) {
    out.set(e.from, [...(out.get(e.from) ?? []), e]);
    inn.set(e.to, [...(inn.get(e.to) ?? []), e]);
  }
  return { byId, out, in: inn };
}

/** How a person would name a node: "signature manifest", "envelope (COSE)", "referrers tag index"… */
export function describeNode(node: ObjectNode): string {
  switch (node.role) {
    case 'tag':
      return node.note ? `referrers tag ${node.tag}` : `tag ${node.tag}`;
    case 'artifact':
      return node.kind === 'index' ? 'artifact index' : 'artifact manifest';
    case 'platform-manifest':
      return `platform manifest${node.platform ? ` (${node.platform})` : ''}`;
    case 'signature':
      return 'signature manifest';
    case 'referrer':
      return `referrer manifest${node.artifactType ? ` (${node.artifactType})` : ''}`;
    case 'referrers-tag-index':
      return 'referrers tag index';
    case 'config':
      return node.mediaType === MediaType.ociEmpty || node.digest === EMPTY_JSON.digest ? 'config blob (empty JSON {})' : 'config blob';
    case 'envelope':
      return `signature envelope (${node.mediaType === MediaType.cose ? 'COSE' : node.mediaType === MediaType.jws ? 'JWS' : node.mediaType})`;
    case 'layer':
      return 'layer blob';
    default:
      return `${node.kind} named by another object`;
  }
}

/** The graph as pretty JSON, for a download. */
export function formatObjectGraph(graph: ObjectGraph): string {
  return `${JSON.stringify(graph, null, 2)}\n`;
}
