/**
 * Strict request framing (connector/codec/wire-check) held against protobuf-es decoding the
 * committed contract image: it never accepts bytes the reference refuses for their framing, it
 * accepts every encoding the generated client produces, and its table of nested request
 * messages matches the contract.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DescMessage } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { checkWireFormat } from '../../connector/codec/wire-check.js';
import { REQUEST_SHAPES } from '../../connector/request-validation.js';
import { ExchangeServiceService } from '../../proto/gen/opensqt/market_maker/v1/exchange.js';
import {
  exchangeService,
  referenceDecodeProblem,
  requestDescriptor,
} from '../support/contract-registry.js';

type Method = keyof typeof ExchangeServiceService;
const METHODS = Object.keys(ExchangeServiceService) as Method[];

/** The message-typed fields of `message`, recursively, as a WireShape-like object. */
function nestedFields(message: DescMessage): Record<number, unknown> {
  const shape: Record<number, unknown> = {};
  for (const field of message.fields) {
    if (field.message !== undefined) shape[field.number] = nestedFields(field.message);
  }
  return shape;
}

describe('wire-check', () => {
  it('covers every RPC of the contract, and its nested-message table matches it', () => {
    assert.deepEqual(exchangeService.methods.map((m) => m.localName).sort(), [...METHODS].sort());
    for (const method of METHODS) {
      const descriptor = requestDescriptor(method);
      assert.ok(descriptor, method);
      assert.deepEqual(REQUEST_SHAPES[method] ?? {}, nestedFields(descriptor), method);
    }
  });

  it('accepts what the generated client encodes, unknown fields included', () => {
    const place = ExchangeServiceService.placeOrder.requestSerialize({
      symbol: 'BTCUSDT',
      side: 1,
      type: 1,
      timeInForce: 0,
      quantity: { value: '0.001' },
      price: { value: '90000' },
      reduceOnly: false,
      postOnly: true,
      clientOrderId: 'g-1',
      useMargin: false,
    });
    assert.equal(checkWireFormat(place, REQUEST_SHAPES.placeOrder), undefined);
    assert.equal(checkWireFormat(Buffer.alloc(0)), undefined);
    // field 1000, fixed64, then field 15, fixed32
    const unknown = Buffer.from([0xc1, 0x3e, 1, 2, 3, 4, 5, 6, 7, 8, 0x7d, 1, 2, 3, 4]);
    assert.equal(checkWireFormat(unknown), undefined);
  });

  it('property: never accepts bytes the reference decoder refuses for their framing', () => {
    // A message without fields: protobuf-es then checks framing only (tags, wire types,
    // lengths), as wire-check does for fields that are not nested messages
    const framing = requestDescriptor('getName');
    assert.ok(framing && framing.fields.length === 0);
    const field = fc.tuple(
      fc.integer({ min: 0, max: 12 }),
      fc.integer({ min: 0, max: 7 }),
      fc.uint8Array({ maxLength: 6 }),
    );
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 48 }),
      // Mostly well-formed: small tags, lengths and payloads
      fc
        .array(field, { maxLength: 6 })
        .map((fields) =>
          Uint8Array.from(
            fields.flatMap(([no, wire, payload]) => [(no << 3) | wire, payload.length, ...payload]),
          ),
        ),
    );
    fc.assert(
      fc.property(bytes, (input) => {
        if (checkWireFormat(input) !== undefined) return;
        const reference = referenceDecodeProblem(framing, input);
        assert.equal(reference, undefined, `${Buffer.from(input).toString('hex')} accepted`);
      }),
      { seed: 424_242, numRuns: 4000 },
    );
    // Nested: a PlaceOrder price (field 6) holding those bytes is accepted only if they frame
    fc.assert(
      fc.property(bytes, (inner) => {
        const outer = Uint8Array.from([0x32, inner.length, ...inner]);
        if (checkWireFormat(outer, REQUEST_SHAPES.placeOrder) !== undefined) return;
        assert.equal(referenceDecodeProblem(framing, inner), undefined);
      }),
      { seed: 4242, numRuns: 2000 },
    );
  });
});
