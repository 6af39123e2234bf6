/**
 * The edges of the order ledger: a venue order, a placement result and a cancel verification
 * become ledger reports (cumulative fills, the venue's reason kept), and the order as the ledger
 * holds it becomes the one event its slot machine understands.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  reportOfOrder,
  reportOfPlacement,
  slotEventFor,
} from '../../../actors/engine/venue-events.js';
import type { LedgerOrder } from '../../../actors/orders/order-ledger.types.js';
import type { LedgerStatus } from '../../../actors/orders/order-status.table.js';
import type { OrderAck } from '../../../actors/workflows/order.messages.js';
import { dec } from '../../../core/decimal.js';
import type { Order } from '../../../core/exchange.types.js';
import type { ClientOrderId, SymbolId } from '../../../core/types.js';
import { POST_ONLY_REJECT_REASON } from '../../../machines/grid-slot.machine.js';

const id = 'oqT3STRCCbm1g1' as ClientOrderId;

function held(status: LedgerStatus, filledQuantity = '0.002'): LedgerOrder {
  return {
    clientOrderId: id,
    venue: 'sim',
    symbol: 'BTCUSDT' as SymbolId,
    venueOrderId: '7',
    side: 'BUY',
    price: '99900',
    quantity: '0.004',
    filledQuantity,
    avgPrice: null,
    reduceOnly: false,
    slotIndex: -1,
    status,
    rejectReason: status === 'REJECTED' ? POST_ONLY_REJECT_REASON : null,
    revision: 1,
    updatedAtMs: 0,
  };
}

describe('venue events', () => {
  it('gives the slot the event of every ledger status, with the cumulative fill', () => {
    const statuses: LedgerStatus[] = [
      'SUBMITTED',
      'NEW',
      'PARTIALLY_FILLED',
      'PENDING_CANCEL',
      'FILLED',
      'CANCELED',
      'EXPIRED',
      'REJECTED',
    ];
    assert.deepEqual(
      statuses.map((status) => slotEventFor(held(status), status)),
      [
        null,
        { type: 'order.accepted', clientOrderId: id },
        { type: 'order.partiallyFilled', clientOrderId: id, filledQuantity: '0.002' },
        { type: 'order.partiallyFilled', clientOrderId: id, filledQuantity: '0.002' },
        { type: 'order.filled', clientOrderId: id },
        { type: 'order.canceled', clientOrderId: id, filledQuantity: '0.002' },
        { type: 'order.expired', clientOrderId: id, filledQuantity: '0.002' },
        { type: 'order.rejected', clientOrderId: id, reason: POST_ONLY_REJECT_REASON },
      ],
    );
    assert.equal(slotEventFor(held('PENDING_CANCEL', '0'), 'PENDING_CANCEL'), null);
  });

  it('tells the slot a refused cancel as such while the order lives, not after it ended', () => {
    assert.deepEqual(slotEventFor(held('NEW', '0'), 'CANCEL_REJECTED'), {
      type: 'order.cancelRejected',
      clientOrderId: id,
      reason: 'STILL_OPEN',
    });
    assert.deepEqual(slotEventFor(held('FILLED'), 'CANCEL_REJECTED'), {
      type: 'order.filled',
      clientOrderId: id,
    });
  });

  it("reports a venue refusal under the port's own reason, and an unknown outcome as none", () => {
    const rejected = reportOfPlacement({
      outcome: 'rejected',
      reason: 'POST_ONLY_WOULD_CROSS',
      message: 'would take',
      clientOrderId: id,
    });
    assert.deepEqual(rejected, {
      clientOrderId: id,
      trigger: 'REJECTED',
      source: 'placement',
      reason: POST_ONLY_REJECT_REASON,
    });
    const failed = reportOfPlacement({
      outcome: 'failed',
      reason: 'NETWORK',
      message: 'reset',
      clientOrderId: id,
    });
    assert.equal(failed, null);
  });

  it('reports a placed ack with its status, venue id and cumulative fill', () => {
    const ack: OrderAck = {
      venueOrderId: '7',
      clientOrderId: id,
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      status: 'PARTIALLY_FILLED',
      price: '99900',
      quantity: '0.004',
      executedQty: '0.001',
      avgPrice: '99900',
    };
    assert.deepEqual(reportOfPlacement({ outcome: 'placed', clientOrderId: id, order: ack }), {
      clientOrderId: id,
      trigger: 'PARTIALLY_FILLED',
      source: 'placement',
      venueOrderId: '7',
      filledQuantity: '0.001',
      avgPrice: '99900',
    });
  });

  it('reports a venue order with what the ledger needs to hold it', () => {
    const order: Order = {
      orderId: '9',
      clientOrderId: id,
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTX',
      price: dec('100000'),
      quantity: dec('0.004'),
      executedQty: dec('0'),
      avgPrice: dec('0'),
      status: 'NEW',
      reduceOnly: true,
      postOnly: true,
      createdAtMs: 0,
      updateTimeMs: 0,
      trades: [],
    };
    assert.deepEqual(reportOfOrder(order, 'stream', { slotIndex: -1 }), {
      clientOrderId: id,
      trigger: 'NEW',
      source: 'stream',
      venueOrderId: '9',
      filledQuantity: '0',
      trades: [],
      details: {
        side: 'SELL',
        price: '100000',
        quantity: '0.004',
        reduceOnly: true,
        slotIndex: -1,
      },
    });
  });
});
