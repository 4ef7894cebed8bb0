/**
 * The ports the pure core talks through. Implementations live outside `notary` (WebCrypto keys in
 * `keys`, HTTP in `registry`/`app`), so verification and signing stay free of I/O and globals.
 */
import type { SignatureAlgorithm } from './algorithms';

/** Produces raw signatures (RSASSA-PSS bytes, or ECDSA r‖s) with a key whose certificate chain is known. */
export interface Signer {
  /** Leaf first, root last, DER encoded. */
  readonly certificateChain: readonly Uint8Array[];
  readonly algorithm: SignatureAlgorithm;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** The current time, injected so verification can be pinned in tests and reproduced in share links. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
