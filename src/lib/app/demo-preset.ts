/**
 * The demo preset `npm start` serves as /signet-demo.json (scripts/start.ts): the demo artifact's
 * reference, the local CORS proxy, and the trust policy and trust store that trust the demo
 * signer. A visitor without trust material of their own gets it preloaded, so the first
 * verification they run is green without any setup. Validated here like any other input; the
 * trust material is validated again by the core when it is loaded.
 */
import { utf8Encode } from '../bytes';
import { SignetError } from '../errors';
import { parseReference } from '../oci/reference';
import { normalizeProxyUrl, type ProxySettings } from './settings';
import { TRUST_MATERIAL_SCHEMA, type TrustMaterialData, type TrustStoreKind } from './trust-storage';

export const DEMO_PRESET_PATH = '/signet-demo.json';
const MAX_FILES = 64;
const MAX_PEM_CHARS = 256 * 1024;

export interface DemoPreset {
  /** The demo artifact (`registry/repository@digest`), for a "try it" link. */
  readonly reference?: string;
  readonly proxy: ProxySettings | null;
  readonly material: TrustMaterialData;
}

function invalid(detail: string): SignetError {
  return new SignetError('ERR_INPUT_INVALID', `signet-demo.json: ${detail}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads the preset; throws ERR_INPUT_INVALID naming the field at fault. */
export function parseDemoPreset(value: unknown, now = new Date()): DemoPreset {
  if (!isRecord(value)) throw invalid('expected a JSON object');
  let reference: string | undefined;
  if (value.reference !== undefined) {
    if (typeof value.reference !== 'string') throw invalid('"reference" must be text');
    parseReference(value.reference);
    reference = value.reference;
  }
  let proxy: ProxySettings | null = null;
  if (value.proxy !== undefined && value.proxy !== null) {
    if (typeof value.proxy !== 'string') throw invalid('"proxy" must be the proxy URL');
    proxy = { url: normalizeProxyUrl(value.proxy), scope: 'all', registries: [] };
  }
  if (!isRecord(value.trustPolicy)) throw invalid('"trustPolicy" must be a trust policy object');
  if (!Array.isArray(value.trustStores) || value.trustStores.length > 32) throw invalid('"trustStores" must be a list of at most 32 stores');
  const stores = value.trustStores.map((s, i) => {
    if (!isRecord(s)) throw invalid(`trustStores[${i}] must be an object`);
    if (s.type !== 'ca' && s.type !== 'signingAuthority' && s.type !== 'tsa') throw invalid(`trustStores[${i}].type must be ca, signingAuthority or tsa`);
    if (typeof s.name !== 'string' || s.name === '' || s.name.length > 128) throw invalid(`trustStores[${i}].name must be text`);
    if (!Array.isArray(s.files) || s.files.length === 0 || s.files.length > MAX_FILES) throw invalid(`trustStores[${i}].files must list 1 to ${MAX_FILES} files`);
    const files = s.files.map((f, j) => {
      if (!isRecord(f) || typeof f.name !== 'string' || f.name === '' || f.name.length > 128) throw invalid(`trustStores[${i}].files[${j}].name must be text`);
      if (typeof f.pem !== 'string' || f.pem.length > MAX_PEM_CHARS) throw invalid(`trustStores[${i}].files[${j}].pem must be PEM text`);
      return { name: f.name, bytes: utf8Encode(f.pem) };
    });
    return { type: s.type as TrustStoreKind, name: s.name, files };
  });
  return {
    ...(reference ? { reference } : {}),
    proxy,
    material: { schema: TRUST_MATERIAL_SCHEMA, policy: JSON.stringify(value.trustPolicy), stores, updatedAt: now.toISOString(), label: "preloaded from this deployment's demo (signet-demo.json)" }
  };
}
