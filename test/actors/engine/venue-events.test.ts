/**
 * The edge between venue and slot machine: every order status and workflow outcome becomes the
 * event the slot machine understands, with the venue's post-only reason translated.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { eventForOrder, eventForPlacement } from '../../../actors/engine/venue-events.js';
import type { OrderAck } from '../../../actors/workflows/order.messages.js';
import { POST_ONLY_REJECT_REASON } from '../../../machines/grid-slot.machine.js';
import type { ClientOrderId, OrderStatus } from '../../../core/types.js';

const id = 'osq0RZ7BL4bm1g1' as ClientOrderId;

describe('venue events', () => {
  it('maps every order status to its slot event, with the cumulative fill', () => {
    const statuses: OrderStatus[] = [
      'NEW',
      'PARTIALLY_FILLED',
      'FILLED',
      'CANCELED',
      'EXPIRED',
      'REJECTED',
    ];
    const events = statuses.map((status) =>
      eventForOrder({ clientOrderId: id, status, executedQty: '0.002' }),
    );

    assert.deepEqual(events, [
      { type: 'order.accepted', clientOrderId: id },
      { type: 'order.partiallyFilled', clientOrderId: id, filledQuantity: '0.002' },
      { type: 'order.filled', clientOrderId: id },
      { type: 'order.canceled', clientOrderId: id, filledQuantity: '0.002' },
      { type: 'order.expired', clientOrderId: id, filledQuantity: '0.002' },
      { type: 'order.rejected', clientOrderId: id, reason: 'ORDER_REJECTED' },
    ]);
  });

  it("passes the venue's post-only refusal to the slot under the port's own reason", () => {
    const rejected = eventForPlacement({
      outcome: 'rejected',
      reason: 'POST_ONLY_WOULD_CROSS',
      message: 'would take',
      clientOrderId: id,
    });

    assert.deepEqual(rejected, {
      type: 'order.rejected',
      clientOrderId: id,
      reason: POST_ONLY_REJECT_REASON,
    });
  });

  it('turns a placed ack into its status event, and an unknown outcome into none', () => {
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
    };

    assert.deepEqual(eventForPlacement({ outcome: 'placed', clientOrderId: id, order: ack }), {
      type: 'order.partiallyFilled',
      clientOrderId: id,
      filledQuantity: '0.001',
    });
    assert.equal(
      eventForPlacement({
        outcome: 'failed',
        reason: 'NETWORK',
        message: 'reset',
        clientOrderId: id,
      }),
      null,
    );
  });
});
