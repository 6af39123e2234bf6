/**
 * End to end, scale-out: three market-maker processes with `cluster.enabled` (ENGINE_CLUSTER,
 * distinct ENGINE_IDs) on one fresh PostgreSQL database share twelve grids traded over one real
 * connector and the simulated venue, whose prices the test walks across every grid's levels all
 * along, so every symbol keeps placing. Every order-changing call the venue receives is recorded
 * with the lease it came under (the connector runs it under its stamp), so each order is
 * attributed to its engine.
 *
 * a. The engines settle at four symbols each, every symbol owned by exactly one live engine and
 *    trading.
 * b. SIGKILL engine A: within 10 s every symbol it held trades again under B or C.
 * c. SIGSTOP engine B past its lease TTL: its symbols move to C and trade; SIGCONT B: it logs its
 *    leases lost (or exits on postgres.js#1154 and is restarted: see below), no call it makes
 *    under a lost lease reaches the venue (the connector refuses those it is sent: FENCED), and
 *    it rejoins, taking its share back.
 * d. No client order id reached the venue twice, every venue trade of our orders is in the fills
 *    ledger, and each symbol's owner agrees with the venue (working orders = open orders,
 *    position, order ledger and order index = venue for every order).
 *
 * Prints the failover figures: per event, the time from the signal to every moved symbol trading
 * again (its first accepted placement under a new owner). PostgreSQL only: skipped with a
 * message when TEST_DATABASE_URL is not set.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import { createConnectorMetrics } from '../../connector/connector.metrics.js';
import { MARKET_CATALOG } from '../../connector/venues/sim/index.js';
import { dec } from '../../core/decimal.js';
import type { Database } from '../../actors/store/database.js';
import { FillsRepo } from '../../actors/store/fills.repo.js';
import { OrderIndexRepo } from '../../actors/store/order-index.repo.js';
import type { SymbolId } from '../../core/types.js';
import {
  agreedState,
  duplicateClientOrderIds,
  engineScene,
  eventually,
  indexAgainstVenue,
  kill,
  ledgerOrders,
  symbolStatus,
  type EngineProcess,
} from './support/engine-process.js';
import { placementsOf, recordingCalls, type VenueCall } from './support/venue-calls.js';
import { openLedgerDatabase } from './support/venue-fills.js';

const skip = !process.env.TEST_DATABASE_URL && 'TEST_DATABASE_URL is not set (needs PostgreSQL)';

/** Twelve trailing grids, levels a few basis points apart (more than the maker fees of a round trip). */
const GRIDS = [
  { symbol: 'BTCUSDT', interval: '60', quantity: '0.001' },
  { symbol: 'ETHUSDT', interval: '3', quantity: '0.01' },
  { symbol: 'SOLUSDT', interval: '0.15', quantity: '1' },
  { symbol: 'BNBUSDT', interval: '0.45', quantity: '0.02' },
  { symbol: 'XRPUSDT', interval: '0.0015', quantity: '5' },
  { symbol: 'DOGEUSDT', interval: '0.00025', quantity: '30' },
  { symbol: 'ADAUSDT', interval: '0.0006', quantity: '10' },
  { symbol: 'AVAXUSDT', interval: '0.03', quantity: '1' },
  { symbol: 'LINKUSDT', interval: '0.015', quantity: '0.5' },
  { symbol: 'LTCUSDT', interval: '0.07', quantity: '0.1' },
  { symbol: 'DOTUSDT', interval: '0.005', quantity: '1' },
  { symbol: 'TRXUSDT', interval: '0.0002', quantity: '30' },
] as const;
const SYMBOLS = GRIDS.map((g) => g.symbol);
const ENGINE_IDS = ['engine-a', 'engine-b', 'engine-c'] as const;
/** The cluster defaults the engines run with. */
const LEASE_TTL_MS = 6_000;
/** The bound the issue sets on moving a killed engine's symbols. */
const FAILOVER_BOUND_MS = 10_000;
/** Between steps of the prices. */
const STEP_MS = 500;
const WAIT_MS = 60_000;

const anchorOf = (symbol: string): string => String(MARKET_CATALOG[symbol]?.startPrice);

/**
 * Walks every price on its grid's lattice, one or two intervals a step within four of the
 * anchor, until stopped: the trailing windows follow it, so every symbol keeps placing, and
 * every level is crossed again before long, so the closes fill too. Seeded: each run walks the
 * same path.
 */
function walkPrices(set: (symbol: string, price: string) => void): () => Promise<void> {
  let running = true;
  let seed = 20_261_207;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const offsets = new Map<string, number>(GRIDS.map((g) => [g.symbol, 0]));
  const loop = (async () => {
    while (running) {
      for (const g of GRIDS) {
        const at = offsets.get(g.symbol) ?? 0;
        const step = (random() < 0.5 ? 1 : 2) * (random() < 0.5 ? -1 : 1);
        const next = Math.abs(at + step) > 4 ? at - step : at + step;
        offsets.set(g.symbol, next);
        set(g.symbol, dec(anchorOf(g.symbol)).plus(dec(g.interval).mul(next)).toFixed());
      }
      await new Promise((resolve) => setTimeout(resolve, STEP_MS));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

interface ClusterStatus {
  readonly engineId: string;
  readonly held: readonly { readonly symbol: string; readonly token: number }[];
  readonly members: readonly { readonly engineId: string; readonly locked: boolean }[];
  readonly leases: readonly {
    readonly symbol: string;
    readonly owner: string;
    readonly token: number;
    readonly expiresInMs: number;
  }[];
}

async function clusterOf(engine: EngineProcess): Promise<ClusterStatus | undefined> {
  try {
    const response = await fetch(`${engine.adminUrl}/status`, {
      signal: AbortSignal.timeout(2_000),
    });
    return ((await response.json()) as { cluster: ClusterStatus | null }).cluster ?? undefined;
  } catch {
    return undefined;
  }
}

/** Each live engine's held symbols, when the engines' views and the leases all agree. */
async function settledShares(
  engines: ReadonlyMap<string, EngineProcess>,
): Promise<Map<string, Map<string, number>> | undefined> {
  const shares = new Map<string, Map<string, number>>();
  let leases: ClusterStatus['leases'] | undefined;
  for (const [id, engine] of engines) {
    const view = await clusterOf(engine);
    if (!view) return undefined;
    shares.set(id, new Map(view.held.map((h) => [h.symbol, h.token])));
    leases = view.leases;
  }
  const owners = new Map<string, string>();
  for (const [id, held] of shares) {
    for (const symbol of held.keys()) {
      if (owners.has(symbol)) return undefined;
      owners.set(symbol, id);
    }
  }
  if (owners.size !== SYMBOLS.length) return undefined;
  for (const lease of leases ?? []) {
    const held = shares.get(lease.owner)?.get(lease.symbol);
    if (held !== lease.token || lease.expiresInMs <= 0) return undefined;
  }
  return shares;
}

/** When each of `symbols` first had a placement accepted after `sinceMs` by an engine in `by`. */
function firstPlacements(
  calls: readonly VenueCall[],
  symbols: Iterable<string>,
  sinceMs: number,
  by: (owner: string, symbol: string) => boolean,
): Map<string, number> | undefined {
  const firsts = new Map<string, number>();
  for (const symbol of symbols) {
    const first = calls.find(
      (c) =>
        c.method === 'placeOrder' &&
        c.accepted &&
        c.symbol === symbol &&
        c.atMs >= sinceMs &&
        c.owner !== null &&
        by(c.owner, symbol),
    );
    if (!first) return undefined;
    firsts.set(symbol, first.atMs);
  }
  return firsts;
}

function figure(firsts: ReadonlyMap<string, number>, sinceMs: number): string {
  const times = [...firsts.values()].map((t) => t - sinceMs).sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  return `${firsts.size} symbols, first ${times[0]} ms, median ${median} ms, all ${times[times.length - 1]} ms`;
}

async function fencedRefusals(metrics: ReturnType<typeof createConnectorMetrics>) {
  const { values } = await metrics.fencedRequests.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}

describe('three engines sharing twelve symbols on PostgreSQL (scale-out)', { skip }, () => {
  const calls: VenueCall[] = [];
  const connectorMetrics = createConnectorMetrics();
  const scene = engineScene('postgres', {
    symbols: SYMBOLS,
    venue: { wrap: recordingCalls(calls), metrics: connectorMetrics },
    symbolLines: GRIDS.flatMap((g) => [
      `  - symbol: ${g.symbol}`,
      `    grid: { levels_below: 2, levels_above: 0, interval: "${g.interval}", ` +
        `order_quantity: "${g.quantity}", trailing: {} }`,
    ]),
    // A random walk closes slots under the position's average entry, which the venue books as
    // losses: the loss-streak breaker would rightly stop the grids, and this suite is about failover
    configLines: ['risk:', '  breakers:', '    loss_streak: { enabled: false }'],
  });
  let stored: Database | undefined;
  let stopWalk: (() => Promise<void>) | undefined;
  after(async () => {
    await stopWalk?.();
    await stored?.close();
  });

  it('moves a killed and a paused engine’s symbols within the bound, fencing the paused one off', async (t) => {
    const v = scene().venue;
    const setPrice = (symbol: string, price: string) => v.sim.setSpotPrice(symbol, price);
    for (const g of GRIDS) setPrice(g.symbol, anchorOf(g.symbol));
    const started = await Promise.all(
      ENGINE_IDS.map((id) =>
        scene().fleet.start(scene().config, { ENGINE_CLUSTER: 'true', ENGINE_ID: id }),
      ),
    );
    const engines = new Map<string, EngineProcess>(ENGINE_IDS.map((id, i) => [id, started[i]!]));
    const outputs = () =>
      [...engines].map(([id, e]) => `-- ${id}:\n${e.output.slice(-15).join('\n')}`).join('\n');
    const wait = <T>(check: () => Promise<T | undefined>, what: string, ms = WAIT_MS) =>
      eventually(check, what, ms).catch(async (e: Error) => {
        await keepLogs();
        throw new Error(`${e.message}\n${outputs()}`);
      });
    /** Why `engine` and the venue do not agree on `symbol` (agreedState's checks, spelled out). */
    const disagreement = async (engine: EngineProcess, symbol: string): Promise<string> => {
      const actor = (await symbolStatus(engine, symbol))?.actor;
      if (!actor) return `${symbol}: no actor`;
      const open = (await v.venue.getOpenOrders(symbol))
        .map((o) => `${o.side} ${o.price.toFixed()} ${o.clientOrderId}`)
        .sort();
      const position = (await v.venue.getPositions(symbol)).find((p) => p.symbol === symbol);
      return (
        `${symbol}: phase ${actor.phase}, position ${actor.position} (venue ` +
        `${position?.size.toFixed() ?? '0'}), slots ${JSON.stringify(actor.slots)}, venue open ` +
        `${JSON.stringify(open)}`
      );
    };
    /** With CLUSTER_E2E_LOGS=DIR, every engine's whole output is kept there for a post-mortem. */
    const keepLogs = async () => {
      const dir = process.env.CLUSTER_E2E_LOGS;
      if (!dir) return;
      for (const [i, e] of started.entries()) {
        await writeFile(path.join(dir, `${ENGINE_IDS[i]}.log`), e.output.join('\n'));
      }
      // An engine restarted under its id (see SIGCONT below)
      for (const [id, e] of engines) {
        if (!started.includes(e))
          await writeFile(path.join(dir, `${id}.2.log`), e.output.join('\n'));
      }
      await writeFile(path.join(dir, 'venue-calls.json'), JSON.stringify(calls, null, 1));
    };
    stopWalk = walkPrices(setPrice);

    // a. Four symbols each, one live owner per symbol, every symbol trading
    const shares = await wait(async () => {
      const s = await settledShares(engines);
      return s && [...s.values()].every((held) => held.size === 4) ? s : undefined;
    }, 'three engines holding four symbols each');
    const settledAt = Date.now();
    await wait(
      async () =>
        firstPlacements(calls, SYMBOLS, settledAt, (owner, symbol) =>
          Boolean(shares.get(owner)?.has(symbol)),
        ),
      'every symbol placing under its owner',
    );
    for (const [id, held] of shares) {
      for (const symbol of held.keys()) {
        const byOthers = calls.filter(
          (c) => c.symbol === symbol && c.atMs >= settledAt && c.owner !== id && c.accepted,
        );
        assert.deepEqual(byOthers, [], `${symbol} is ${id}'s; no other engine changes its orders`);
      }
    }

    // b. SIGKILL A: its symbols trade again under B or C within the bound
    const heldByA = [...(shares.get('engine-a')?.keys() ?? [])];
    const killedAt = Date.now();
    await kill(engines.get('engine-a')!.child, 'SIGKILL');
    engines.delete('engine-a');
    const afterKill = await wait(
      async () => firstPlacements(calls, heldByA, killedAt, (owner) => owner !== 'engine-a'),
      'every symbol of the killed engine placing under a live one',
    );
    const killFigure = figure(afterKill, killedAt);
    const killMs = Math.max(...afterKill.values()) - killedAt;
    const twoShares = await wait(async () => {
      const s = await settledShares(engines);
      return s && [...s.values()].every((held) => held.size === 6) ? s : undefined;
    }, 'B and C holding six symbols each');

    // c. SIGSTOP B past its lease TTL: its symbols move to C
    const b = engines.get('engine-b')!;
    const heldByB = new Map(twoShares.get('engine-b'));
    const stoppedAt = Date.now();
    b.child.kill('SIGSTOP');
    let continued = false;
    t.after(() => {
      if (!continued) b.child.kill('SIGCONT');
    });
    const afterStop = await wait(
      async () =>
        firstPlacements(calls, heldByB.keys(), stoppedAt, (owner) => owner === 'engine-c'),
      'every symbol of the paused engine placing under engine-c',
    );
    const stopFigure = figure(afterStop, stoppedAt);
    const stopMs = Math.max(...afterStop.values()) - stoppedAt;
    const c = engines.get('engine-c')!;
    await wait(async () => {
      const view = await clusterOf(c);
      return view?.held.length === SYMBOLS.length ? view : undefined;
    }, 'engine-c holding all twelve symbols');
    // Steps while B is paused leave work queued in it for after SIGCONT
    await new Promise((resolve) => setTimeout(resolve, 2 * STEP_MS));
    const continuedAt = Date.now();
    const refusedBefore = await fencedRefusals(connectorMetrics);
    b.child.kill('SIGCONT');
    continued = true;
    const exited = () => b.child.exitCode !== null || b.child.signalCode !== null;
    await wait(
      async () =>
        b.output.some((line) => line.includes('lease lost')) || exited() ? true : undefined,
      'engine-b logging its leases lost',
    );
    // The server ends a transaction B was paused in (it held its lease row: see
    // LeasesRepo.heldToken). postgres.js 3.4 then writes a request buffered before the pause to
    // the closed socket outside any await and the process exits (porsager/postgres#1154, #1208,
    // fix unreleased): it never trades stale, and it rejoins once restarted. Any other exit fails.
    let exitedOnResume = false;
    if (exited()) {
      assert.ok(
        b.output.some((line) => line.includes("Cannot read properties of null (reading 'write')")),
        `engine-b exited after SIGCONT:\n${b.output.slice(-30).join('\n')}`,
      );
      exitedOnResume = true;
      engines.set(
        'engine-b',
        await scene().fleet.start(scene().config, {
          ENGINE_CLUSTER: 'true',
          ENGINE_ID: 'engine-b',
        }),
      );
    }
    const rejoined = await wait(async () => {
      const s = await settledShares(engines);
      return s && [...s.values()].every((held) => held.size === 6) ? s : undefined;
    }, 'B rejoined: B and C holding six symbols each');
    const rejoinedAt = Date.now();
    await wait(
      async () =>
        firstPlacements(
          calls,
          rejoined.get('engine-b')!.keys(),
          rejoinedAt,
          (o) => o === 'engine-b',
        ),
      'engine-b trading its new share',
    );
    const fromLostLeases = calls.filter(
      (call) =>
        call.owner === 'engine-b' &&
        call.atMs >= continuedAt &&
        call.token !== null &&
        heldByB.get(call.symbol) === call.token,
    );
    assert.deepEqual(
      fromLostLeases.filter((call) => call.accepted),
      [],
      'no order call engine-b made under a lease it had lost reached the venue',
    );
    const refused = (await fencedRefusals(connectorMetrics)) - refusedBefore;

    // d. Settle: no duplicate, no fill lost, every owner agrees with the venue
    await stopWalk();
    stopWalk = undefined;
    const final = await wait(async () => settledShares(engines), 'the cluster settled');
    stored = await openLedgerDatabase('postgres', scene().dir, scene().database);
    const fills = new FillsRepo(stored.sql);
    const index = new OrderIndexRepo(stored.sql);
    let venueTradeCount = 0;
    const canceledNotRejected = new Set<string>();
    for (const [id, held] of final) {
      const engine = engines.get(id)!;
      for (const symbol of held.keys()) {
        const placements = placementsOf(calls, symbol);
        let problems: string[] = [];
        await wait(async () => {
          const state = await agreedState(engine, v.venue, symbol);
          problems = state ? [] : [await disagreement(engine, symbol)];
          problems.push(
            ...(await indexAgainstVenue(
              await ledgerOrders(engine, symbol),
              v.venue,
              symbol,
              placements,
              { partial: true },
            )),
            ...(await indexAgainstVenue(
              await index.all(symbol as SymbolId),
              v.venue,
              symbol,
              placements,
            )),
          );
          // A placement the venue refused while its slot was cancelling it, which a
          // reconciliation then found absent, ends CANCELED rather than REJECTED: final, never
          // live, no fill either way (the reconciler's race, one engine alone has it too).
          // Counted and printed, not hidden; every other difference fails.
          const refusedCanceled = problems.filter((p) => p.endsWith(': refused, index CANCELED'));
          for (const p of refusedCanceled) canceledNotRejected.add(p.split(':')[0] ?? p);
          problems = problems.filter((p) => !refusedCanceled.includes(p));
          return problems.length === 0 ? state : undefined;
        }, `${symbol}: ${id} = venue, ledger and index = venue`).catch((e: Error) => {
          throw new Error(`${e.message}\n${problems.join('\n')}`);
        });
        const venueTrades: string[] = [];
        for (const clientOrderId of new Set(
          placements.filter((p) => p.accepted).map((p) => p.clientOrderId),
        )) {
          const order = await v.venue.getOrder({ symbol, clientOrderId });
          venueTrades.push(...order.trades.map((trade) => `${trade.tradeId} ${clientOrderId}`));
        }
        const recorded = await fills.listBySymbol(symbol as SymbolId);
        assert.deepEqual(
          recorded.map((f) => `${f.tradeId} ${f.clientOrderId}`).sort(),
          venueTrades.sort(),
          `${symbol}: the fills ledger holds exactly the venue's trades of our orders`,
        );
        venueTradeCount += venueTrades.length;
      }
    }
    await keepLogs();
    const placed = placementsOf(calls);
    // An id the venue refused never existed there: a recovered workflow sends it again when its
    // engine died between the refusal and the checkpoint (one engine alone does the same); those
    // are counted and printed. An id the venue accepted must never reach it again.
    const accepted = new Set(placed.filter((p) => p.accepted).map((p) => p.clientOrderId));
    const resent = duplicateClientOrderIds(placed);
    assert.deepEqual(
      resent.filter((id) => accepted.has(id)),
      [],
      'a client order id the venue accepted reached it again',
    );
    assert.ok(
      killMs <= FAILOVER_BOUND_MS,
      `killed engine's symbols trading again after ${killMs} ms`,
    );
    assert.ok(
      stopMs <= LEASE_TTL_MS + FAILOVER_BOUND_MS,
      `paused engine's symbols trading again after ${stopMs} ms`,
    );
    t.diagnostic(
      `failover (lease TTL ${LEASE_TTL_MS} ms, scan 1000 ms, prices step every ${STEP_MS} ms): ` +
        `SIGKILL -> trading again: ${killFigure}; SIGSTOP -> trading again: ${stopFigure}`,
    );
    t.diagnostic(
      `${placed.length} placements (${placed.filter((p) => p.accepted).length} accepted), ` +
        `${venueTradeCount} fills, 0 duplicate ids, 0 fills lost, ${resent.length} refused ids ` +
        `sent again (${resent.join(', ')}), ${canceledNotRejected.size} ` +
        `refused placements indexed CANCELED (${[...canceledNotRejected].join(', ')}); ` +
        'after SIGCONT engine-b made ' +
        `${fromLostLeases.length} calls under lost leases, none accepted` +
        `${exitedOnResume ? ' (it exited on resume: postgres.js #1154, restarted)' : ''}; connector refused ` +
        `${refused} FENCED`,
    );
  });
});
