/**
 * @module test/actors/engine/symbol-fixture
 * One symbol actor wired the way the orchestrator wires it (mailbox fed by the stream router,
 * durable order workflows, the real store), so a test can start, stop and restart it against
 * the simulated venue and read what it did.
 */
import { Mailbox } from '../../../actors/engine/mailbox.js';
import { durableOrderGateway } from '../../../actors/engine/order-gateway.js';
import { StreamRouter, type StreamRouterOptions } from '../../../actors/engine/stream-router.js';
import { SymbolActor } from '../../../actors/engine/symbol.actor.js';
import {
  gridConfigFromWire,
  gridConfigSchema,
  type GridConfigWire,
} from '../../../actors/engine/symbol.config.js';
import type { SymbolMessage } from '../../../actors/engine/symbol.messages.js';
import type { SlotView } from '../../../actors/engine/slot-set.js';
import type { SymbolId } from '../../../core/types.js';
import { TEST_POLICY, type EngineTestBed, type TestVenue } from './harness.js';
import type { SymbolPolicy } from '../../../actors/engine/symbol.messages.js';

export const BTC = 'BTCUSDT' as SymbolId;

/** Two buy levels under an anchor of 100000, 100 apart, 0.001 BTC each; nothing above. */
export const SMALL_GRID: GridConfigWire = {
  levels_below: 2,
  levels_above: 0,
  interval: '100',
  order_quantity: '0.001',
  mode: 'long',
  anchor_price: '100000',
};

/** A running symbol actor and the router feeding it. */
export interface RunningSymbol {
  readonly actor: SymbolActor;
  readonly run: Promise<void>;
  readonly mailbox: Mailbox<SymbolMessage>;
  slot(index: number): SlotView | undefined;
  /** Stops the actor (orders stay on the venue) and the router, as a process stop would. */
  stop(): Promise<void>;
}

/** Starts an actor for `symbol` with a fresh mailbox, as a fresh process would. */
export async function startSymbol(
  bed: EngineTestBed,
  venue: TestVenue,
  grid: GridConfigWire = SMALL_GRID,
  symbol: SymbolId = BTC,
  policy: SymbolPolicy = TEST_POLICY,
  hooks: Pick<StreamRouterOptions, 'onPrice' | 'onAccount' | 'onOrderUpdate'> = {},
  mailbox: Mailbox<SymbolMessage> = new Mailbox<SymbolMessage>(64),
): Promise<RunningSymbol> {
  const router = new StreamRouter({
    ...hooks,
    exchange: venue.exchange,
    clock: venue.clock,
    log: bed.log,
    mailboxOf: (s) => (s === symbol ? mailbox : undefined),
    symbols: () => [symbol],
  });
  const actor = new SymbolActor(
    {
      exchange: venue.exchange,
      clock: venue.clock,
      orders: durableOrderGateway,
      store: bed.store.symbols,
      metrics: bed.metrics,
      log: bed.log,
      policy,
    },
    {
      symbol,
      grid: gridConfigFromWire(gridConfigSchema.parse(grid)),
      entriesPaused: false,
      mailbox,
    },
  );
  router.start();
  await actor.restore();
  const run = actor.run();
  return {
    actor,
    run,
    mailbox,
    slot: (index) => actor.view().slots.find((s) => s.index === index),
    stop: async () => {
      await actor.stop({ cancelOrders: false, graceMs: 5_000 });
      router.stop();
      await run;
    },
  };
}

/** Client order ids of the venue's open orders of `symbol`, sorted. */
export async function openOrderIds(venue: TestVenue, symbol: SymbolId = BTC): Promise<string[]> {
  return (await venue.exchange.getOpenOrders(symbol)).map((o) => o.clientOrderId).sort();
}
