/**
 * The conformance suite: the same behavioural cases over every transport (in-process simulated
 * venue, RemoteExchange over a real gRPC connector), proving the wire changes nothing.
 */
import { describe, it } from 'node:test';
import { bookCases } from './conformance/book.cases.js';
import { errorCases } from './conformance/errors.cases.js';
import { marketCases } from './conformance/market.cases.js';
import { orderCases } from './conformance/orders.cases.js';
import { streamCases } from './conformance/streams.cases.js';
import { TRANSPORTS } from './conformance/transports.js';

const CASES = [...orderCases, ...marketCases, ...streamCases, ...errorCases, ...bookCases];

for (const transport of TRANSPORTS) {
  describe(`Exchange conformance: ${transport.name}`, () => {
    for (const conformanceCase of CASES) {
      it(conformanceCase.name, async (t) => {
        await conformanceCase.run(await transport.start(t));
      });
    }
  });
}
