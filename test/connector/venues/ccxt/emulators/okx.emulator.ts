/**
 * @module test/connector/ccxt/emulators/okx.emulator
 * A loopback OKX v5 (USDT swap BTC-USDT-SWAP, 0.01 BTC per contract) for the real ccxt okx code.
 * REST checks OK-ACCESS-KEY / PASSPHRASE and the base64 HMAC-SHA256 of
 * timestamp + method + path + body; orders go through /trade/batch-orders as ccxt sends them and
 * per-item errors carry OKX's sCode. WebSocket: `/ws/v5/public` serves `bbo-tbt`,
 * `/ws/v5/private` takes the `login` op and pushes the `orders` channel.
 */
import { createHmac } from 'node:crypto';
import type { WebSocket } from 'ws';
import { LoopbackServer, type RecordedRequest, type Reply } from './loopback-server.js';
import { okxFills, okxPublic } from './depth-fills.routes.js';
import { fundingJson, instrument, orderJson } from './okx.json.js';
import { ASK, BID, SimpleOrderStore, type SimpleOrder } from './simple-orders.js';

export { OKX_FUNDING_TIME } from './okx.json.js';

export const OKX_KEY = 'okx-key';
export const OKX_SECRET = 'okx-secret';
export const OKX_PASSWORD = 'okx-pass';

const okxReply = (data: unknown[], code = '0', msg = ''): Reply => ({
  status: 200,
  body: { code, msg, data },
});

export class OkxEmulator {
  readonly server: LoopbackServer;
  readonly store: SimpleOrderStore;
  rateLimited = false;
  private readonly privateSockets = new Set<WebSocket>();
  private readonly bboSockets = new Set<WebSocket>();

  constructor() {
    this.store = new SimpleOrderStore(
      () => Date.now(),
      1752588852617379840n,
      undefined,
      (o) => this.pushOrder(o),
    );
    this.server = new LoopbackServer(
      (r) => this.handle(r),
      (socket, url) => this.connect(socket, url),
    );
  }

  start(): Promise<LoopbackServer> {
    return this.server.start();
  }

  private handle(r: RecordedRequest): Reply | undefined {
    if (r.path === '/api/v5/public/instruments') {
      return okxReply(r.query.instType === 'SWAP' ? [instrument()] : []);
    }
    const book = okxPublic(r);
    if (book !== undefined) return book;
    if (r.headers['ok-access-key'] === undefined) return undefined;
    if (
      r.headers['ok-access-key'] !== OKX_KEY ||
      r.headers['ok-access-passphrase'] !== OKX_PASSWORD ||
      !this.signed(r)
    ) {
      return { status: 401, body: { code: '50113', msg: 'Invalid Sign', data: [] } };
    }
    if (this.rateLimited) {
      return {
        status: 429,
        body: {
          code: '50011',
          msg: 'Rate limit reached. Please refer to API documentation and throttle requests accordingly.',
          data: [],
        },
      };
    }
    const body = r.body as Record<string, string>;
    switch (`${r.method} ${r.path}`) {
      case 'GET /api/v5/account/balance':
        return okxReply([
          {
            totalEq: '10000',
            uTime: String(Date.now()),
            details: [
              {
                ccy: 'USDT',
                eq: '10000',
                cashBal: '10000',
                availBal: '10000',
                availEq: '10000',
                frozenBal: '0',
                uTime: String(Date.now()),
              },
            ],
          },
        ]);
      case 'POST /api/v5/trade/batch-orders':
        return this.placeBatch(r.body as Record<string, string>[]);
      case 'GET /api/v5/trade/order': {
        const order = this.store.find(r.query.ordId, r.query.clOrdId);
        return order ? okxReply([orderJson(order)]) : okxReply([], '51603', 'Order does not exist');
      }
      case 'GET /api/v5/trade/orders-pending':
        return okxReply(
          this.store
            .open()
            .filter((o) => o.instrument === r.query.instId)
            .map(orderJson),
        );
      case 'POST /api/v5/trade/cancel-batch-orders': {
        const data = (r.body as Record<string, string>[]).map((item) => {
          const order = this.store.cancel(item.ordId, item.clOrdId);
          return order
            ? {
                clOrdId: order.clientId,
                ordId: order.id,
                sCode: '0',
                sMsg: '',
                ts: String(Date.now()),
              }
            : {
                clOrdId: '',
                ordId: item.ordId ?? '',
                sCode: '51400',
                sMsg: 'Order cancellation failed as the order has been filled, canceled or does not exist',
                ts: '',
              };
        });
        const failed = data.filter((d) => d.sCode !== '0').length;
        return failed === 0 ? okxReply(data) : okxReply(data, '2', 'Partial operations failed');
      }
      case 'POST /api/v5/trade/cancel-order': {
        const order = this.store.cancel(body.ordId, body.clOrdId);
        const item = {
          clOrdId: body.clOrdId ?? '',
          ordId: order?.id ?? '',
          sCode: order ? '0' : '51400',
          sMsg: order
            ? ''
            : 'Order cancellation failed as the order has been filled, canceled or does not exist',
          ts: String(Date.now()),
        };
        return okxReply([item], order ? '0' : '1', order ? '' : 'All operations failed');
      }
      default:
        return okxFills(r);
    }
  }

  private placeBatch(items: readonly Record<string, string>[]): Reply {
    const data = items.map((item) => {
      const placed = this.store.place({
        instrument: item.instId ?? '',
        side: item.side === 'sell' ? 'sell' : 'buy',
        price: item.px ?? '0',
        size: item.sz ?? '0',
        clientId: item.clOrdId ?? '',
        postOnly: item.ordType === 'post_only',
        // OKX accepts a post-only order that would take and cancels it at once (below)
        rejectCrossing: false,
        contractValue: '0.01',
      });
      const crosses =
        item.side === 'sell' ? Number(item.px) <= Number(BID) : Number(item.px) >= Number(ASK);
      if (typeof placed === 'object' && item.ordType === 'post_only' && crosses)
        this.store.cancel(placed.id);
      if (typeof placed === 'object')
        return {
          clOrdId: placed.clientId,
          ordId: placed.id,
          sCode: '0',
          sMsg: 'Order placed',
          tag: '',
          ts: String(Date.now()),
        };
      const [sCode, sMsg] = {
        duplicate: ['51016', 'Duplicated clOrdId'],
        insufficient: ['51008', 'Order failed. Insufficient USDT margin in account'],
        'would-cross': ['51000', 'Parameter ordType error'],
      }[placed];
      return { clOrdId: item.clOrdId ?? '', ordId: '', sCode, sMsg, tag: '', ts: '' };
    });
    const failed = data.filter((d) => d.sCode !== '0').length;
    return failed === 0
      ? okxReply(data)
      : okxReply(
          data,
          '1',
          failed === data.length ? 'All operations failed' : 'Partial operations failed',
        );
  }

  /** base64 HMAC-SHA256 over timestamp + method + path (with query) + body, as OKX signs. */
  private signed(r: RecordedRequest): boolean {
    const path = r.rawQuery === '' ? r.path : `${r.path}?${r.rawQuery}`;
    const prehash = `${String(r.headers['ok-access-timestamp'])}${r.method}${path}${r.rawBody}`;
    return (
      createHmac('sha256', OKX_SECRET).update(prehash).digest('base64') ===
      r.headers['ok-access-sign']
    );
  }

  private connect(socket: WebSocket, url: URL): (data: string) => void {
    const isPrivate = url.pathname.endsWith('/private');
    return (data) => {
      if (data === 'ping') return socket.send('pong');
      const frame = JSON.parse(data) as { op: string; args: Record<string, string>[] };
      if (frame.op === 'login') {
        socket.send(JSON.stringify({ event: 'login', code: '0', msg: '', connId: 'a4d3ae55' }));
        return;
      }
      for (const arg of frame.args) {
        socket.send(JSON.stringify({ event: 'subscribe', arg, connId: 'a4d3ae55' }));
        if (isPrivate && arg.channel === 'orders') this.privateSockets.add(socket);
        if (!isPrivate && arg.channel === 'funding-rate') {
          socket.send(JSON.stringify({ arg, data: [fundingJson()] }));
        }
        if (!isPrivate && arg.channel === 'bbo-tbt') {
          this.bboSockets.add(socket);
          socket.send(
            JSON.stringify({
              arg,
              data: [
                {
                  asks: [[ASK, '8', '0', '2']],
                  bids: [[BID, '5', '0', '1']],
                  ts: String(Date.now()),
                  seqId: 123456,
                },
              ],
            }),
          );
        }
      }
    };
  }

  /** WS subscriptions: bbo-tbt sockets and private `orders` sockets. */
  subscriptions(): number {
    return this.bboSockets.size + this.privateSockets.size;
  }

  private pushOrder(order: SimpleOrder): void {
    const message = {
      arg: { channel: 'orders', instType: 'ANY', uid: '77982378738415879' },
      data: [orderJson(order)],
    };
    for (const socket of this.privateSockets) socket.send(JSON.stringify(message));
  }
}
