/**
 * Byte caps, idle timeouts and concurrency accounting for streamed bodies. Runtime-neutral.
 */

export class StreamLimitError extends Error {
  constructor(
    readonly kind: 'too_large' | 'idle_timeout',
    message: string
  ) {
    super(message);
    this.name = 'StreamLimitError';
  }
}

export interface StreamEnd {
  readonly bytes: number;
  /** Set when the stream failed (limit, upstream error) or was cancelled by the consumer. */
  readonly error?: unknown;
  readonly cancelled?: boolean;
}

export interface GuardOptions {
  readonly maxBytes: number;
  readonly idleMs: number;
  readonly what: string;
  /** Called after every chunk with the running byte count. */
  readonly onProgress?: (bytes: number) => void;
  /** Called exactly once, when the stream ends for any reason. */
  readonly onEnd: (end: StreamEnd) => void;
}

/**
 * Wraps `source` so that it errors once more than `maxBytes` went through or no chunk arrived
 * for `idleMs`, cancelling the source in both cases. Pull-based with a small read-ahead (64 KiB),
 * so memory stays flat whatever the body size.
 */
export function guardStream(source: ReadableStream<Uint8Array>, opts: GuardOptions): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let bytes = 0;
  let ended = false;
  const end = (e: Omit<StreamEnd, 'bytes'>) => {
    if (ended) return;
    ended = true;
    opts.onEnd({ bytes, ...e });
  };
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, e: unknown) => {
    if (ended) return;
    reader.cancel(e).catch(() => undefined);
    try {
      controller.error(e);
    } catch {
      // already closed or errored
    }
    end({ error: e });
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // One timer per read; when it fires it fails the stream itself, so the pending read
        // (resolved by the cancel) is simply ignored.
        const timer = setTimeout(
          () => fail(controller, new StreamLimitError('idle_timeout', `${opts.what} stalled: no data for ${opts.idleMs} ms`)),
          opts.idleMs
        );
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (e) {
          fail(controller, e);
          return;
        } finally {
          clearTimeout(timer);
        }
        if (ended) return;
        if (r.done) {
          controller.close();
          end({});
          return;
        }
        bytes += r.value.byteLength;
        if (bytes > opts.maxBytes) {
          fail(controller, new StreamLimitError('too_large', `${opts.what} exceeds the limit of ${opts.maxBytes} bytes`));
          return;
        }
        controller.enqueue(r.value);
        opts.onProgress?.(bytes);
      },
      cancel(reason) {
        end({ error: reason, cancelled: true });
        return reader.cancel(reason).catch(() => undefined);
      }
    },
    // Up to 64 KiB read ahead, so the next chunk arrives while the consumer writes this one.
    new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 })
  );
}

/** Counts requests in flight per client and overall. */
export class ConcurrencyLimiter {
  private readonly perClient = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly maxPerClient: number,
    private readonly maxTotal: number
  ) {}

  /** Takes a slot, or returns null when the client (or the proxy) is at its limit. */
  acquire(client: string): (() => void) | null {
    const current = this.perClient.get(client) ?? 0;
    if (current >= this.maxPerClient || this.total >= this.maxTotal) return null;
    this.perClient.set(client, current + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const n = (this.perClient.get(client) ?? 1) - 1;
      if (n <= 0) this.perClient.delete(client);
      else this.perClient.set(client, n);
    };
  }

  inFlight(client?: string): number {
    return client === undefined ? this.total : this.perClient.get(client) ?? 0;
  }
}
