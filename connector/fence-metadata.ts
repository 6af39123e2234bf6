/**
 * @module connector/fence-metadata
 * The client half of fencing: the metadata an order-changing call is sent with. Under
 * `withFence` it carries the lease's owner and token (`x-opensqt-fence-owner`,
 * `x-opensqt-fence-token`) so the connector can refuse a former owner (`connector/fence-guard.ts`);
 * outside it, the shared metadata goes unchanged, so a lone engine's wire traffic is what it
 * always was. The stamp names one symbol and only that symbol's orders may change under it: a
 * call about another one is a bug in the caller and never leaves the process.
 */
import type { Metadata } from '@grpc/grpc-js';
import { ExchangeError, invalidArgument, quoteInput } from '../core/errors.js';
import { FENCE_OWNER_HEADER, FENCE_TOKEN_HEADER, currentFence } from '../core/fence.js';

/** A symbol an order call changes, and the request field that names it. */
export interface FencedSymbol {
  readonly field: string;
  readonly symbol: string;
}

/**
 * The metadata of one order-changing call made now: `base` itself outside `withFence`, else a
 * copy with the stamp. Reads the stamp synchronously, so call it before the first `await` of the
 * call it is for.
 * @param base - the client's metadata (api key, venue); never modified
 * @param symbols - every symbol the call changes orders of, with its field
 * @throws {ExchangeError} INVALID_ARGUMENT naming the field whose symbol is not the stamp's, or
 *   the header whose value gRPC cannot carry
 */
export function orderCallMetadata(base: Metadata, symbols: readonly FencedSymbol[]): Metadata {
  const stamp = currentFence();
  if (stamp === undefined) return base;
  for (const { field, symbol } of symbols) {
    if (symbol !== stamp.symbol) {
      throw invalidArgument(
        field,
        `${quoteInput(symbol)} is not ${quoteInput(stamp.symbol)}, the symbol of the lease this call runs under (withFence); change a symbol's orders only under its own lease`,
      );
    }
  }
  const metadata = base.clone();
  set(metadata, FENCE_OWNER_HEADER, stamp.owner, 'an engine id of printable ASCII');
  set(metadata, FENCE_TOKEN_HEADER, String(stamp.token), 'a positive integer');
  return metadata;
}

function set(metadata: Metadata, key: string, value: string, hint: string): void {
  try {
    metadata.set(key, value);
  } catch (e) {
    // grpc-js refuses values an HTTP/2 header cannot carry; say which stamp field it was
    throw new ExchangeError(
      'INVALID_ARGUMENT',
      `${key}: ${quoteInput(value)} cannot be sent; use ${hint}`,
      { field: key, cause: e },
    );
  }
}
