/**
 * RFC 3161 timestamp tokens for Notary signatures (spec digest §10; §8 timestamping chain profile;
 * §12.4 step 5 authentic timestamp; §14.1 how `notation inspect` prints a token). Pure: no I/O;
 * the TSA HTTP exchange goes through the Timestamper port.
 *
 * Verifying: parseTimestampToken → verifyTimestampToken (imprint, signer certificate, chain to a
 * TSA root at genTime, CMS signature, profile) → compare `range` with the signing chain.
 * Signing: requestTimestamp (or buildTimestampRequest + Timestamper + parseTimestampResponse +
 * verifyTimestampToken). Inspecting: describeTimestamp.
 */
export { TimestampError, NOTATION_TIMESTAMP_PREFIX, notationTimestampMessage, type TimestampStage } from './timestamp/errors';
export {
  parseTimestampToken,
  parseTstInfo,
  MAX_TIMESTAMP_TOKEN_BYTES,
  MAX_TOKEN_CERTIFICATES,
  MAX_TOKEN_SIGNER_INFOS,
  type TimestampToken,
  type TstInfo,
  type Accuracy,
  type MessageImprint,
  type AlgorithmIdentifier,
  type CmsSignerInfo,
  type CmsAttribute
} from './timestamp/token';
export {
  timestampRange,
  timestampBoundedAfter,
  timestampBoundedBefore,
  formatTimestampRange,
  validateTimestampImprint,
  signingCertificate,
  verifyTimestampToken,
  verifyTimestampForSignature,
  type TimestampRange,
  type VerifyTimestampOptions,
  type VerifiedTimestamp
} from './timestamp/verify';
export {
  buildTimestampRequest,
  parseTimestampResponse,
  requestTimestamp,
  type Timestamper,
  type TimestampRequest,
  type CheckedTimestampResponse,
  type RequestTimestampOptions
} from './timestamp/request';
export { describeTimestamp, describeCertificate, type TimestampDescription, type InspectCertificate, type InspectFormat } from './timestamp/describe';
export { formatGoTime, type GoTimeLayout, type PreciseTime } from './timestamp/asn1';
export { TSP_OID } from './timestamp/oids';
