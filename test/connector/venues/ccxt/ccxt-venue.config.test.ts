/**
 * The `venues:` config section and credential lookup: defaults, the checks that name the key at
 * fault, and which environment variables each venue reads.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ccxtVenuesSchema } from '../../../../connector/venues/ccxt/ccxt-venue.config.js';
import { createCcxtVenues } from '../../../../connector/venues/ccxt/create-venues.js';
import {
  credentialVariables,
  readCredentials,
} from '../../../../connector/venues/ccxt/credentials.js';
import { venueProfile } from '../../../../connector/venues/ccxt/venue-profiles.js';
import { silentLogger } from '../../../support/grpc-harness.js';

function problems(input: unknown): string[] {
  const result = ccxtVenuesSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('venues config', () => {
  it('fills the defaults of a venue', () => {
    const venues = ccxtVenuesSchema.parse({ 'binance-usdm': { exchange: 'binanceusdm' } });

    assert.deepEqual(venues['binance-usdm'], {
      exchange: 'binanceusdm',
      sandbox: false,
      demo: false,
      rate_limit: true,
      funding_poll_ms: 60_000,
      stream_backoff_ms: [3000, 5000, 10000, 30000],
    });
    assert.deepEqual(ccxtVenuesSchema.parse(undefined), {});
  });

  it('names the key at fault for an unknown exchange, a market it lacks and sandbox + demo', () => {
    assert.deepEqual(
      problems({
        kraken: { exchange: 'kraken' },
        spot: { exchange: 'binance', market: 'futures', sandbox: true, demo: true },
      }),
      [
        'kraken.exchange: Invalid option: expected one of "binance"|"binanceusdm"|"bitget"|"gate"|"okx"|"bybit"',
        'spot.market: binance trades spot only; use exchange: binanceusdm for USDT perpetuals',
        'spot.demo: choose sandbox or demo, not both',
      ],
    );
    assert.deepEqual(problems({ usdm: { exchange: 'binanceusdm', sandbox: true } }), [
      'usdm.sandbox: Binance retired the USD-M futures testnet (ccxt refuses it); use demo: true',
    ]);
    assert.deepEqual(problems({ 'Binance USDM': { exchange: 'binanceusdm' } }), [
      'Binance USDM: a venue name is lower-case letters, digits and -, e.g. binance-usdm',
    ]);
  });

  it('starts no venue when none is configured', async () => {
    assert.equal((await createCcxtVenues({}, silentLogger)).size, 0);
  });

  it('imports ccxt lazily: static imports of it are type-only, the one load is import()', () => {
    const dir = fileURLToPath(new URL('../../../../connector/venues/ccxt/', import.meta.url));
    const runtime: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(join(dir, file), 'utf8');
      for (const match of source.matchAll(/^import (?!type )[^;]*from 'ccxt';/gm)) {
        runtime.push(`${file}: ${match[0]}`);
      }
      if (source.includes("import('ccxt')")) runtime.push(`${file}: import('ccxt')`);
    }

    assert.deepEqual(runtime, ["create-venues.ts: import('ccxt')"]);
  });
});

describe('venue credentials', () => {
  it('reads key, secret and (OKX, Bitget) passphrase from the prefixed variables', () => {
    const okx = venueProfile('okx');

    assert.deepEqual(credentialVariables(okx), [
      'OKX_API_KEY',
      'OKX_API_SECRET',
      'OKX_API_PASSWORD',
    ]);
    assert.deepEqual(credentialVariables(venueProfile('binance'), 'BINANCE_TESTNET'), [
      'BINANCE_TESTNET_API_KEY',
      'BINANCE_TESTNET_API_SECRET',
    ]);
    assert.deepEqual(
      readCredentials('okx-swap', okx, {
        OKX_API_KEY: 'k',
        OKX_API_SECRET: 's',
        OKX_API_PASSWORD: 'p',
      }),
      { credentials: { apiKey: 'k', secret: 's', password: 'p' }, hint: null },
    );
    assert.deepEqual(readCredentials('okx-swap', okx, { OKX_API_KEY: ' ' }).credentials, null);
    assert.throws(
      () => readCredentials('okx-swap', okx, { OKX_API_KEY: 'k', OKX_API_SECRET: 's' }),
      /okx-swap: OKX_API_PASSWORD not set; set all of OKX_API_KEY, OKX_API_SECRET, OKX_API_PASSWORD or none/,
    );
  });
});
