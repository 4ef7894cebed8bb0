/**
 * Timestamp failures carry the stage at which they happened, because notation words the same
 * inner error differently depending on the stage (spec digest §10, §12.4 step 5, §14.1), and the
 * verifier and `notation inspect` view must reproduce those messages exactly.
 */
import { SignetError, type SignetErrorCode } from '../../errors';

/**
 * - `parse`: the token is not a CMS SignedData with eContentType id-ct-TSTInfo.
 * - `tstinfo`: the encapsulated TSTInfo cannot be decoded.
 * - `validate`: TSTInfo version, imprint hash algorithm, or imprint mismatch.
 * - `trust`: no TSA root was given.
 * - `verify`: signing certificate, chain to a TSA root, CMS signature, signed attributes, EKU.
 * - `chain`: the TSA chain breaks the timestamping certificate profile (§8).
 * - `request` / `response`: signing side (building a TimeStampReq, checking a TimeStampResp).
 */
export type TimestampStage = 'parse' | 'tstinfo' | 'validate' | 'trust' | 'verify' | 'chain' | 'request' | 'response';

/** What notation v1.3.2 puts in front of an inner error at each verification stage. */
export const NOTATION_TIMESTAMP_PREFIX: Readonly<Record<TimestampStage, string>> = {
  parse: 'failed to parse timestamp countersignature with error: ',
  tstinfo: 'failed to get the timestamp TSTInfo with error: ',
  validate: 'failed to get timestamp from timestamp countersignature with error: ',
  trust: '',
  verify: 'failed to verify the timestamp countersignature with error: ',
  chain: 'failed to validate the timestamping certificate chain with error: ',
  request: '',
  response: ''
};

/** A SignetError (code ERR_TIMESTAMP_INVALID unless said otherwise) that also knows its stage. */
export class TimestampError extends SignetError {
  readonly stage: TimestampStage;

  constructor(stage: TimestampStage, message: string, options?: { cause?: unknown; code?: SignetErrorCode }) {
    super(options?.code ?? 'ERR_TIMESTAMP_INVALID', message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.stage = stage;
  }
}

/**
 * The whole message notation's verifier prints for this failure (authentic-timestamp step), e.g.
 * `failed to verify the timestamp countersignature with error: failed to verify signed token: …`.
 */
export function notationTimestampMessage(error: TimestampError): string {
  return NOTATION_TIMESTAMP_PREFIX[error.stage] + error.message;
}
