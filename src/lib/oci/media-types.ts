/** Media types, artifact types and annotation keys Signet reads and writes, in one place. */
export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  ociArtifactManifest: 'application/vnd.oci.artifact.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  notarySignature: 'application/vnd.cncf.notary.signature',
  notaryPayload: 'application/vnd.cncf.notary.payload.v1+json',
  jws: 'application/jose+json',
  cose: 'application/cose',
  octetStream: 'application/octet-stream'
} as const;

export const Annotation = {
  thumbprintS256: 'io.cncf.notary.x509chain.thumbprint#S256',
  created: 'org.opencontainers.image.created',
  refName: 'org.opencontainers.image.ref.name'
} as const;

/** The 2-byte `{}` config/empty blob every signature manifest points at. */
export const EMPTY_JSON = {
  bytes: new Uint8Array([0x7b, 0x7d]),
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2
} as const;
