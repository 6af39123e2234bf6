/**
 * The conformance suite (connector/conformance): the same behavioural cases over every transport
 * (in-process simulated venue, RemoteExchange over a real gRPC connector), proving the wire
 * changes nothing.
 */
import { describe, it } from 'node:test';

import { CONFORMANCE_CASES } from '../../connector/conformance/index.js';
import { TRANSPORTS } from './conformance/transports.js';

for (const transport of TRANSPORTS) {
  describe(`Exchange conformance: ${transport.name}`, () => {
    for (const conformanceCase of CONFORMANCE_CASES) {
      it(conformanceCase.name, async (t) => {
        await conformanceCase.run(await transport.start(t));
      });
    }
  });
}
