/**
 * The registry layer's public surface: what signing, verification and the app import.
 * Everything runs over an injected `fetch`; see client.ts for the options.
 */
export { createRegistryClient, isLoopbackHost, RegistryClient } from './client';
export type { ReferrersCapability, RegistryClientOptions, RepositoryTarget } from './client';
export { Repository, DEFAULT_MAX_BLOB_BYTES, MANIFEST_ACCEPT_ALL, MANIFEST_ACCEPT_DOCKER, MANIFEST_ACCEPT_OCI, MAX_METADATA_BYTES } from './repository';
export type { FetchedContent, ListTagsOptions, PushBlobOptions, PushedManifest } from './repository';
export { isNotarySignatureManifest, listByTagSchema, listReferrers, probeReferrersApi, referrersTag, filterReferrers, ZERO_DIGEST } from './referrers';
export type { ListReferrersOptions, ReferrersListing } from './referrers';
export { addToReferrersIndex, pushReferrer, INDEX_NONCE_ANNOTATION } from './referrers-index';
export type { PushReferrerInput, PushReferrerOptions, PushReferrerResult, ReferrersIndexOptions, ReferrersIndexResult } from './referrers-index';
export { staticCredentials } from './auth/credentials';
export type { Credential, CredentialProvider } from './auth/credentials';
export { DigestCache } from './cache';
export type { ExchangeObserver, FetchLike, HttpExchange } from './http';
export { registryErrorCodes, registryErrorStatus } from './errors';
