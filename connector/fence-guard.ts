/**
 * @module connector/fence-guard
 * The fencing check of the order-changing RPCs. A call that carries a lease stamp (the
 * `x-opensqt-fence-owner` and `x-opensqt-fence-token` metadata an engine sends under
 * `withFence`) reaches the venue only if its token is not lower than the highest this connector
 * has seen for the symbol on that venue (`connector/fence-book.ts`); otherwise it ends FENCED
 * before the venue is called, is logged at warn and counted. Calls without the metadata (one
 * engine alone, the original Go/Python clients) pass unchanged. Read-only RPCs are never fenced:
 * a former owner reading does no harm. A stamped GetOpenOrders of one symbol announces its token
 * though: a new owner reads the symbol's orders to reconcile before it trades, so from that read
 * on the former owner is refused, not only from the new owner's first order call. An admitted
 * stamp of an order change is returned so the service runs the venue call under it
 * (`withFence`): whatever decorates the venue (an audit, a test's recorder) can tell which
 * engine's lease a change of orders came under.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ExchangeError, invalidArgument, quoteInput } from '../core/errors.js';
import { FENCE_OWNER_HEADER, FENCE_TOKEN_HEADER, type FenceStamp } from '../core/fence.js';
import type { ConnectorMetrics } from './connector.metrics.js';
import { FenceBook, type FenceClaim } from './fence-book.js';
import { requireSymbol, rpcName, type Method } from './request-validation.js';

/** The RPCs that change orders, and so carry a stamp. */
export const FENCED_METHODS = [
  'placeOrder',
  'batchPlaceOrders',
  'cancelOrder',
  'batchCancelOrders',
  'cancelAllOrders',
] as const satisfies readonly Method[];
/** One of {@link FENCED_METHODS}. */
export type FencedMethod = (typeof FENCED_METHODS)[number];

/** Reads that raise the fence when stamped, and are never refused themselves. */
export const ANNOUNCING_METHODS = ['getOpenOrders'] as const satisfies readonly Method[];

/** Longest owner id accepted: engine ids are short; a long one is a bug, not a name. */
export const MAX_FENCE_OWNER_LENGTH = 128;

const TOKEN = /^[1-9][0-9]*$/;

/**
 * Checks one call before its venue sees it.
 * @returns the lease the call was admitted under; undefined for a call without a stamp
 */
export type FenceGuard = (
  method: Method,
  venue: { readonly name: string; readonly scope: object },
  metadata: Metadata,
  request: unknown,
) => FenceStamp | undefined;

export interface FenceGuardOptions {
  readonly logger: Logger;
  /** Where refusals are counted; none = not measured. */
  readonly metrics?: ConnectorMetrics;
  /** The memory of tokens; a fresh one by default. */
  readonly book?: FenceBook;
}

const isFenced = (method: Method): method is FencedMethod =>
  (FENCED_METHODS as readonly Method[]).includes(method);

/**
 * Builds the guard the service runs on every unary call.
 * @throws {ExchangeError} from the guard: FENCED for a lower token than seen (or the same token
 *   under another owner), INVALID_ARGUMENT naming the header or field for a malformed stamp
 */
export function createFenceGuard(options: FenceGuardOptions): FenceGuard {
  const { logger: log, metrics } = options;
  const book = options.book ?? new FenceBook();
  return (method, venue, metadata, request) => {
    const announcing = (ANNOUNCING_METHODS as readonly Method[]).includes(method);
    if (!isFenced(method) && !announcing) return undefined;
    const claim = readFenceClaim(metadata);
    if (claim === undefined) return undefined;
    const symbol = announcing
      ? ((request as { symbol?: string }).symbol ?? '')
      : fencedSymbol(method as FencedMethod, request);
    // A read of every symbol names no lease to announce
    if (symbol === '') return undefined;
    const evictionsBefore = book.evictions;
    const verdict = book.admit(venue.scope, symbol, claim);
    if (book.evictions !== evictionsBefore && isPowerOfTen(book.evictions)) {
      log.warn(
        { venue: venue.name, symbol, evictions: book.evictions, held: book.size },
        'fence book full: forgot the least recently used symbol (more symbols than any catalog)',
      );
    }
    // A read only announces: it runs unstamped, and a former owner may still read
    if (announcing) return undefined;
    if (verdict.admitted) return { symbol, owner: claim.owner, token: claim.token };
    const { current } = verdict;
    const rpc = rpcName(method);
    metrics?.fencedRequests.inc({ venue: venue.name, method: rpc });
    log.warn(
      {
        venue: venue.name,
        method: rpc,
        symbol,
        owner: claim.owner,
        token: claim.token,
        currentOwner: current.owner,
        currentToken: current.token,
        why: verdict.why,
      },
      'order call refused: its lease was fenced off',
    );
    throw new ExchangeError('FENCED', refusalText(verdict.why, symbol, claim, current));
  };
}

/**
 * The stamp a call carries, or undefined when it carries none.
 * @throws {ExchangeError} INVALID_ARGUMENT naming the header that is missing, repeated or bad
 */
export function readFenceClaim(metadata: Metadata): FenceClaim | undefined {
  const owners = metadata.get(FENCE_OWNER_HEADER);
  const tokens = metadata.get(FENCE_TOKEN_HEADER);
  if (owners.length === 0 && tokens.length === 0) return undefined;
  const owner = single(FENCE_OWNER_HEADER, owners, FENCE_TOKEN_HEADER);
  const tokenText = single(FENCE_TOKEN_HEADER, tokens, FENCE_OWNER_HEADER);
  if (owner === '') {
    throw invalidArgument(
      FENCE_OWNER_HEADER,
      'is empty; send the id of the engine holding the lease',
    );
  }
  if (owner.length > MAX_FENCE_OWNER_LENGTH) {
    throw invalidArgument(
      FENCE_OWNER_HEADER,
      `is ${owner.length} characters; send an engine id of at most ${MAX_FENCE_OWNER_LENGTH}`,
    );
  }
  const token = Number(tokenText);
  if (!TOKEN.test(tokenText) || !Number.isSafeInteger(token)) {
    throw invalidArgument(
      FENCE_TOKEN_HEADER,
      `${quoteInput(tokenText)} is not a positive integer; send the lease's fencing token (1, 2, ...) in decimal`,
    );
  }
  return { owner, token };
}

function single(header: string, values: readonly unknown[], other: string): string {
  if (values.length === 0) {
    throw invalidArgument(
      header,
      `is missing while ${other} is sent; send both (lease owner and fencing token) or neither`,
    );
  }
  const value = String(values[0]);
  // HTTP/2 joins a repeated header into one value with ", "; neither field ever holds a comma
  if (values.length > 1 || value.includes(',')) {
    throw invalidArgument(
      header,
      `was sent more than once or holds a comma (${quoteInput(value)}); send it once, without commas`,
    );
  }
  return value;
}

/**
 * The one symbol a fenced call changes orders of.
 * @throws {ExchangeError} INVALID_ARGUMENT naming `orders[i].symbol` for a batch over several
 *   symbols: a stamp is the lease of one symbol
 */
function fencedSymbol(method: FencedMethod, request: unknown): string {
  if (method !== 'batchPlaceOrders') return (request as { symbol: string }).symbol;
  const orders = (request as { orders: readonly { symbol: string }[] }).orders;
  const symbol = orders[0]?.symbol ?? '';
  // Items are otherwise checked one by one; the fence needs a real symbol to key on
  requireSymbol(symbol, 'orders[0].symbol');
  orders.forEach((order, i) => {
    if (order.symbol !== symbol) {
      throw invalidArgument(
        `orders[${i}].symbol`,
        `${quoteInput(order.symbol)} differs from orders[0].symbol ${quoteInput(symbol)}; a fenced batch changes the one symbol of its lease: send one batch per symbol`,
      );
    }
  });
  return symbol;
}

function refusalText(
  why: 'stale' | 'conflict',
  symbol: string,
  claim: FenceClaim,
  current: FenceClaim,
): string {
  const owner = quoteInput(claim.owner, MAX_FENCE_OWNER_LENGTH);
  const holder = quoteInput(current.owner, MAX_FENCE_OWNER_LENGTH);
  if (why === 'stale') {
    return `${symbol} is fenced off for owner ${owner} (token ${claim.token}): owner ${holder} took the lease over with token ${current.token}; this engine must stop changing orders of ${symbol}`;
  }
  return `${symbol}: fencing token ${claim.token} is held by owner ${holder} and claimed by owner ${owner} too: the lease gave one token to two engines (a broken lease invariant); only the first keeps trading`;
}

const isPowerOfTen = (n: number): boolean => /^10*$/.test(String(n));
