/**
 * @module bench/support/connector-host
 * The server side of bench/connector.bench.ts, in its own process as in production: the connector
 * on the simulated venue (virtual clock, so the bench decides when the market moves) and the bare
 * echo service used as the floor. Driven by IPC messages from the bench process.
 */
import * as grpc from '@grpc/grpc-js';
import { VirtualClock } from '../../core/clock.js';
import { startConnectorServer } from '../../connector/connector.server.js';
import { withResilience } from '../../connector/resilient.exchange.js';
import { createSimulatedVenue } from '../../connector/venues/sim/index.js';
import { dec } from '../../core/decimal.js';
import { ECHO_SERVICE, echoImplementation } from './echo.floor.js';

export type HostCommand =
  | { readonly cmd: 'tick' }
  | { readonly cmd: 'orders'; readonly count: number; readonly batch: number }
  | { readonly cmd: 'stop' };

export type HostReply =
  | { readonly type: 'ready'; readonly connectorPort: number; readonly echoPort: number }
  | { readonly type: 'ticked'; readonly sentAtMs: number }
  | { readonly type: 'ordersDone' };

/** Epoch milliseconds with microsecond resolution, comparable across processes on one machine. */
export function preciseNowMs(): number {
  return performance.timeOrigin + performance.now();
}

const PRICE_TICK_MS = 250;

async function main(): Promise<void> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  // A deep wallet so tens of thousands of resting bench orders never run out of margin
  const venue = createSimulatedVenue(
    { seed: 7, tickIntervalMs: PRICE_TICK_MS, futures: { walletBalance: '1000000000' } },
    clock,
  );
  const futures = venue.exchange('futures');
  const connector = await startConnectorServer({
    venues: new Map([[futures.name, withResilience(futures)]]),
    defaultVenue: futures.name,
    host: '127.0.0.1',
    port: 0,
  });

  const echo = new grpc.Server();
  echo.addService(
    ECHO_SERVICE,
    echoImplementation((call) => {
      const count = call.request.readUInt32BE(0);
      const payload = call.request;
      let sent = 0;
      const pump = (): void => {
        while (sent < count) {
          sent++;
          if (!call.write(payload)) {
            call.once('drain', pump);
            return;
          }
        }
        call.end();
      };
      pump();
    }),
  );
  const echoPort = await new Promise<number>((resolve, reject) =>
    echo.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) =>
      e ? reject(e) : resolve(port),
    ),
  );

  let nextClientId = 0;
  process.on('message', (message: HostCommand) => {
    if (message.cmd === 'tick') {
      const sentAtMs = preciseNowMs();
      clock.advance(PRICE_TICK_MS);
      reply({ type: 'ticked', sentAtMs });
    } else if (message.cmd === 'orders') {
      // Orders far below the market rest without filling; each one is one update on the stream
      void (async () => {
        const price = (await futures.getLatestPrice('BTCUSDT')).mul('0.5').toDecimalPlaces(1);
        for (let i = 0; i < message.count; i++) {
          await futures.placeOrder({
            symbol: 'BTCUSDT',
            side: 'BUY',
            type: 'LIMIT',
            quantity: dec('0.001'),
            price,
            clientOrderId: `benchS${nextClientId++}`,
          });
          if ((i + 1) % message.batch === 0) await new Promise((r) => setImmediate(r));
        }
        reply({ type: 'ordersDone' });
      })();
    } else {
      void connector.shutdown(1000).then(() => {
        echo.forceShutdown();
        process.exit(0);
      });
    }
  });
  reply({ type: 'ready', connectorPort: connector.port, echoPort });
}

function reply(message: HostReply): void {
  process.send?.(message);
}

void main();
