/**
 * @module actors/arbitrage/arbitrage-section.config
 * The `arbitrage:` section of the engine config: the pairs to trade on the very first start (an
 * empty pair set; after that the set lives in the database and `POST /symbols` changes it) and
 * the guards every pair runs with.
 */
import { z } from 'zod';

import { dec } from '../../core/decimal.js';
import { arbitragePairsSchema } from './arbitrage.config.js';
import type { PairGuards } from './pair.actor.js';

const guardsSchema = z
  .object({
    /** Between decisions when no feed update arrives, ms. */
    evaluate_interval_ms: z.number().int().min(100).max(600_000).default(5_000),
    /** First wait before retrying a pair left unhedged or a failed exit, ms; doubles per retry. */
    retry_backoff_ms: z.number().int().min(100).max(3_600_000).default(10_000),
    /** Retries of an unhedged pair (or a failed exit) before the pair is halted and alerted. */
    max_retries: z.number().int().min(1).max(100).default(5),
    /**
     * A perp leg whose liquidation price is closer than this fraction of the mark price makes
     * the pair exit at once (and stay halted until resumed); e.g. "0.1" = 10 %.
     */
    min_liquidation_distance: z
      .string({ error: 'must be a decimal string fraction, e.g. "0.1"' })
      .regex(/^\d+(\.\d+)?$/, 'must be a plain decimal fraction, e.g. "0.1" for 10 %')
      .refine((v) => !/^\d+(\.\d+)?$/.test(v) || dec(v).lt(1), 'must be below 1 (100 %)')
      .default('0.1'),
    /** Between liquidation-distance checks of a pair holding a position, ms. */
    risk_check_interval_ms: z.number().int().min(1_000).max(3_600_000).default(30_000),
  })
  .strict()
  .prefault({});

/** The `arbitrage:` section; every key optional. */
export const arbitrageSectionSchema = z
  .object({
    /** Pairs to trade on the very first start (same fields as `POST /symbols`). */
    pairs: arbitragePairsSchema.default([]),
    guards: guardsSchema,
  })
  .strict()
  .prefault({});

export type ArbitrageSection = z.output<typeof arbitrageSectionSchema>;

/** The pair actor's guards from the section. */
export function pairGuardsOf(section: ArbitrageSection): PairGuards {
  const g = section.guards;
  return {
    evaluateIntervalMs: g.evaluate_interval_ms,
    retryBackoffMs: g.retry_backoff_ms,
    maxRetries: g.max_retries,
    minLiquidationDistance: g.min_liquidation_distance,
    riskCheckIntervalMs: g.risk_check_interval_ms,
  };
}
