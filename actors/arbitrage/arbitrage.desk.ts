/**
 * @module actors/arbitrage/arbitrage.desk
 * The engine's arbitrage pairs: one supervised pair actor per stored pair, the funding monitor
 * their legs share, the venues they trade (each opened once by name and registered for the
 * durable workflows), and runtime changes to the set (add, reconfigure, re-activate, remove,
 * resume). Start-up is two steps like the grid orchestrator's, so DBOS can launch in between:
 * `restore()` opens every stored pair's venues (a cycle DBOS recovers at launch needs them) and
 * loads each pair's state; `resume()` runs the actors.
 */
import type { Clock } from '../../core/clock.js';
import { dec } from '../../core/decimal.js';
import { toExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { Logger } from '../../core/logger.js';
import type { AlertSink } from '../alerts/alert.types.js';
import type { SupervisionPolicy } from '../engine/supervision.js';
import type { ArbitragePairsRepo } from '../store/arbitrage-pairs.repo.js';
import { registerOrderVenue } from '../workflows/order.context.js';
import {
  arbitragePairsSchema,
  arbitrageVenueFitProblems,
  parseArbitragePair,
  type ArbitragePairConfig,
  type ArbitragePairWire,
} from './arbitrage.config.js';
import type { ArbitrageMetrics } from './arbitrage.metrics.js';
import { FundingMonitor } from './funding-monitor.js';
import { PairActor, type PairGuards } from './pair.actor.js';
import { PairSupervisor, type SupervisedPairView } from './pair.supervisor.js';
import { resetPairCycleQueue } from './pair-cycle.workflow.js';
import type { TradingState } from '../../machines/trading-state.machine.js';

export type { SupervisedPairView } from './pair.supervisor.js';

/** Why a pair change was refused; `kind` maps to 400 / 404 / 409 / 503. */
export class PairRequestError extends Error {
  readonly kind: 'invalid' | 'not_found' | 'conflict' | 'unavailable';
  readonly problems: readonly string[];

  constructor(kind: PairRequestError['kind'], problems: readonly string[]) {
    super(problems.join('; '));
    this.name = 'PairRequestError';
    this.kind = kind;
    this.problems = problems;
  }
}

export interface ArbitrageDeskOptions {
  /** Opens (or returns) the venue port of a venue name; rejects when it is not served. */
  readonly openVenue: (name: string) => Promise<Exchange>;
  readonly repo: ArbitragePairsRepo;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: ArbitrageMetrics;
  readonly alerts: AlertSink | null;
  readonly policy: SupervisionPolicy;
  readonly guards: PairGuards;
  /** Runs `fn` outside any durable-workflow context. */
  readonly detach: <T>(fn: () => T) => T;
  /** The engine's global trading state (the kill switch); default: always ACTIVE. */
  readonly globalTrading?: () => TradingState;
  /**
   * Why this engine may not trade pairs (scale-out: every engine would trade each pair); null
   * or absent: it may.
   */
  readonly refusePairs?: string | null;
}

/** The engine's arbitrage pairs; see the module doc. */
export class ArbitrageDesk {
  readonly #options: ArbitrageDeskOptions;
  readonly #venues = new Map<string, Exchange>();
  readonly #pairs = new Map<string, PairSupervisor>();
  readonly #wires = new Map<string, ArbitragePairWire>();
  readonly #monitor: FundingMonitor;
  #resumed = false;

  constructor(options: ArbitrageDeskOptions) {
    this.#options = options;
    this.#monitor = new FundingMonitor({
      venue: (name) => {
        const venue = this.#venues.get(name);
        if (!venue) throw new Error(`arbitrage venue ${name} is not open`);
        return venue;
      },
      clock: options.clock,
      log: options.log,
      metrics: options.metrics,
    });
  }

  /**
   * Seeds an empty pair set from the config, opens every stored pair's venues and restores
   * each pair's actor. A pair whose config no longer validates is logged and left out.
   */
  async restore(seed: readonly ArbitragePairWire[]): Promise<void> {
    const { repo, log } = this.#options;
    resetPairCycleQueue();
    let stored = await repo.list();
    const refused = this.#options.refusePairs;
    if (refused && (stored.length > 0 || seed.length > 0)) {
      throw new PairRequestError('conflict', [
        `arbitrage: pairs ${[...stored.map((r) => r.pairId), ...seed.map((w) => w.pair)].join(', ')} ` +
          `are stored in this database, but ${refused}`,
      ]);
    }
    if (stored.length === 0 && seed.length > 0) {
      for (const wire of seed) await repo.upsert(wire.pair, wire);
      log.info({ pairs: seed.map((p) => p.pair) }, 'fresh start: seeded the arbitrage pairs');
      stored = await repo.list();
    }
    for (const row of stored) {
      const parsed = parseArbitragePair(row.config);
      if (!parsed.ok) {
        log.error(
          { pair: row.pairId, problems: parsed.problems },
          'stored arbitrage pair is invalid: not traded',
        );
        continue;
      }
      if (row.status === 'failed') {
        log.warn(
          { pair: row.pairId },
          'arbitrage pair had failed before the restart: trying it again',
        );
        await repo.setStatus(row.pairId, 'active');
      }
      await this.#openLegs(parsed.config);
      this.#wires.set(row.pairId, row.config as ArbitragePairWire);
      await this.#supervise(parsed.config).restore();
    }
  }

  /** Runs every restored pair. */
  resume(): void {
    this.#resumed = true;
    for (const pair of this.#pairs.values()) pair.launch();
  }

  /** Stops every pair (their state is persisted after each cycle) and the feeds. */
  async stop(): Promise<void> {
    await Promise.all([...this.#pairs.values()].map((p) => p.halt()));
    this.#monitor.close();
  }

  /**
   * Adds a pair, reconfigures a flat one, or re-activates a failed one.
   * @param raw - the pair as the API or YAML spell it (`strategy: arbitrage`)
   * @throws {PairRequestError} invalid (a field is wrong, for the schema or for the venues),
   *   conflict (the pair holds a position and its legs would change), unavailable (a venue could
   *   not be asked)
   */
  async addPair(raw: unknown): Promise<{ pair: string; outcome: 'added' | 'updated' }> {
    const refused = this.#options.refusePairs;
    if (refused) throw new PairRequestError('conflict', [`strategy: arbitrage: ${refused}`]);
    const parsed = parseArbitragePair(raw);
    if (!parsed.ok) throw new PairRequestError('invalid', parsed.problems);
    const { config } = parsed;
    const wire = raw as ArbitragePairWire;
    const others = [...this.#wires.entries()].filter(([id]) => id !== config.pairId);
    const shared = arbitragePairsSchema.safeParse([...others.map(([, w]) => w), wire]);
    if (!shared.success) {
      throw new PairRequestError(
        'invalid',
        shared.error.issues.map((i) => `${i.path.slice(1).map(String).join('.')}: ${i.message}`),
      );
    }
    const existing = this.#pairs.get(config.pairId);
    if (existing?.actor?.isBusy() && !sameLegs(existing.config, config)) {
      throw new PairRequestError('conflict', [
        `legs: pair ${config.pairId} holds a position or runs a cycle; exit it before changing its legs`,
      ]);
    }
    await this.#checkVenues(config);
    await this.#options.repo.upsert(config.pairId, wire);
    this.#wires.set(config.pairId, wire);
    if (existing) {
      await existing.reactivate(config);
      return { pair: config.pairId, outcome: 'updated' };
    }
    const supervisor = this.#supervise(config);
    await supervisor.restore();
    if (this.#resumed) supervisor.launch();
    return { pair: config.pairId, outcome: 'added' };
  }

  /**
   * Stops trading a flat pair and forgets it.
   * @returns false when no such pair is traded
   * @throws {PairRequestError} conflict while the pair holds a position or runs a cycle
   */
  async removePair(pairId: string): Promise<boolean> {
    const supervisor = this.#pairs.get(pairId);
    if (!supervisor) return false;
    if (supervisor.actor?.isBusy()) {
      throw new PairRequestError('conflict', [
        `pair: ${pairId} holds a position or runs a cycle; exit it first (it exits when the spread falls below exit_apr)`,
      ]);
    }
    await supervisor.halt();
    await this.#options.repo.remove(pairId);
    this.#pairs.delete(pairId);
    this.#wires.delete(pairId);
    return true;
  }

  /**
   * Lifts a pair's latched halt (the imbalance guard or a finished flatten).
   * @throws {PairRequestError} not_found, or conflict when the pair is not running
   */
  async resumePair(pairId: string, by: string): Promise<void> {
    const supervisor = this.#pairs.get(pairId);
    if (!supervisor) throw new PairRequestError('not_found', [`pair: ${pairId} is not traded`]);
    const actor = supervisor.actor;
    if (!actor) {
      throw new PairRequestError('conflict', [
        `pair: ${pairId} is ${supervisor.state()}; re-add it with POST /symbols to restart it`,
      ]);
    }
    await actor.resume(by);
  }

  pairs(): SupervisedPairView[] {
    return [...this.#pairs.values()].map((p) => p.view());
  }

  /** The configuration of every pair the desk supervises now. */
  pairConfigs(): ArbitragePairConfig[] {
    return [...this.#pairs.values()].map((p) => p.config);
  }

  /** The funding monitor the pairs decide on (read-only use: the engine gRPC API's scan). */
  get fundingMonitor(): Pick<FundingMonitor, 'legView' | 'snapshot'> {
    return this.#monitor;
  }

  // -- INTERNAL --

  #supervise(config: ArbitragePairConfig): PairSupervisor {
    const { clock, log, metrics, policy, repo, alerts, guards, detach } = this.#options;
    const supervisor = new PairSupervisor(config, {
      clock,
      log,
      metrics,
      policy,
      detach,
      createActor: (c) =>
        new PairActor(c, {
          venue: (name) => this.#venue(name),
          monitor: this.#monitor,
          repo,
          clock,
          log,
          metrics,
          alerts,
          guards,
          ...(this.#options.globalTrading && { globalTrading: this.#options.globalTrading }),
        }),
      onFailed: async (pairId, error) => {
        await repo.setStatus(pairId, 'failed');
        await alerts?.raise({
          kind: 'symbol_failed',
          severity: 'critical',
          title: `Arbitrage pair ${pairId} failed`,
          body: `The pair's actor failed too often and was given up on: ${error}. Its legs stay as they are; re-add it with POST /symbols once the cause is fixed.`,
          fields: { pair: pairId },
          dedupKey: `symbol_failed:${pairId}:${clock.now()}`,
        });
      },
    });
    this.#pairs.set(config.pairId, supervisor);
    return supervisor;
  }

  #venue(name: string): Exchange {
    const venue = this.#venues.get(name);
    if (!venue) throw new Error(`arbitrage venue ${name} is not open`);
    return venue;
  }

  async #openLegs(config: ArbitragePairConfig): Promise<void> {
    for (const key of ['a', 'b'] as const) await this.#openVenue(config.legs[key].venue);
  }

  async #openVenue(name: string): Promise<void> {
    if (this.#venues.has(name)) return;
    const venue = await this.#options.openVenue(name);
    this.#venues.set(name, venue);
    registerOrderVenue(venue, name);
  }

  /** Opens the pair's venues and checks the pair against their symbols and filters. */
  async #checkVenues(config: ArbitragePairConfig): Promise<void> {
    const problems: string[] = [];
    for (const [i, key] of (['a', 'b'] as const).entries()) {
      try {
        await this.#openVenue(config.legs[key].venue);
      } catch (e) {
        problems.push(
          `legs.${i}.venue: ${config.legs[key].venue} is not served by the connector (${(e as Error).message})`,
        );
      }
    }
    if (problems.length > 0) throw new PairRequestError('invalid', problems);
    try {
      const info = async (key: 'a' | 'b', i: number) => {
        const leg = config.legs[key];
        try {
          return await this.#venue(leg.venue).getSymbolInfo(leg.symbol);
        } catch (e) {
          const error = toExchangeError(e);
          if (error.transient) throw e;
          throw new PairRequestError('invalid', [
            `legs.${i}.symbol: ${leg.venue} does not list ${leg.symbol} (${error.reason})`,
          ]);
        }
      };
      const infos = { a: await info('a', 0), b: await info('b', 1) };
      const first = config.legs[config.firstLeg];
      const price = await this.#venue(first.venue).getLatestPrice(first.symbol);
      const fit = arbitrageVenueFitProblems(config, infos, dec(price));
      if (fit.length > 0) throw new PairRequestError('invalid', fit);
    } catch (e) {
      if (e instanceof PairRequestError) throw e;
      const error = toExchangeError(e);
      throw new PairRequestError('unavailable', [
        `connector: the venue could not be asked (${error.reason}); try again shortly`,
      ]);
    }
  }
}

function sameLegs(a: ArbitragePairConfig, b: ArbitragePairConfig): boolean {
  return (['a', 'b'] as const).every(
    (k) =>
      a.legs[k].venue === b.legs[k].venue &&
      a.legs[k].market === b.legs[k].market &&
      a.legs[k].symbol === b.legs[k].symbol,
  );
}
