/** Object identifiers used by RFC 3161 tokens (spec digest §1 "OIDs"). */
export const TSP_OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  baselineTimestampPolicy: '0.4.0.2023.1.1',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  extKeyUsage: '2.5.29.37',
  ekuTimeStamping: '1.3.6.1.5.5.7.3.8',
  ekuAny: '2.5.29.37.0',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  subjectAltName: '2.5.29.17'
} as const;

export type HashAlgorithmName = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** The hashes notation accepts for imprints, CMS digests and ESSCertIDv2 (tspclient-go oid.ToHash). */
export const HASH_BY_OID: Readonly<Record<string, { name: HashAlgorithmName; length: number }>> = {
  [TSP_OID.sha256]: { name: 'SHA-256', length: 32 },
  [TSP_OID.sha384]: { name: 'SHA-384', length: 48 },
  [TSP_OID.sha512]: { name: 'SHA-512', length: 64 }
};

export const OID_BY_HASH: Readonly<Record<HashAlgorithmName, string>> = {
  'SHA-256': TSP_OID.sha256,
  'SHA-384': TSP_OID.sha384,
  'SHA-512': TSP_OID.sha512
};
