/**
 * announcingExchange: under scale-out, a read of a held symbol's open orders runs under its lease
 * (so the connector learns the new owner's token when it reconciles); other reads and symbols
 * not held go out unstamped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { announcingExchange } from '../../../actors/cluster/announcing.exchange.js';
import { currentFence, type FenceStamp } from '../../../core/fence.js';
import { scriptedExchange } from '../../support/scripted-exchange.js';

describe('announcingExchange', () => {
  it('stamps the open-order reads of held symbols, and nothing else', async () => {
    const seen: [string, FenceStamp | undefined][] = [];
    const venue = scriptedExchange({
      getOpenOrders: async (symbol) => {
        seen.push([`open:${symbol}`, currentFence()]);
        return [];
      },
      getPositions: async () => {
        seen.push(['positions', currentFence()]);
        return [];
      },
    });
    const held: FenceStamp = { symbol: 'BTCUSDT', owner: 'mm-1', token: 4 };
    const exchange = announcingExchange(venue, (s) => (s === 'BTCUSDT' ? held : undefined));

    await exchange.getOpenOrders('BTCUSDT');
    await exchange.getOpenOrders('ETHUSDT');
    await exchange.getPositions();

    assert.deepEqual(seen, [
      ['open:BTCUSDT', held],
      ['open:ETHUSDT', undefined],
      ['positions', undefined],
    ]);
    assert.equal(exchange.name, 'scripted');
  });
});
