/**
 * @module test/connector/ccxt/emulators/gate.emulator
 * A loopback Gate v4 (USDT futures BTC_USDT, 0.0001 BTC per contract) for the real ccxt gate
 * code. REST checks KEY and the hex HMAC-SHA512 of
 * "METHOD\n/api/v4/path\nquery\nsha512(body)\ntimestamp"; errors carry Gate's labels. Like Gate,
 * a repeated `text` (client id) is accepted as a new order and the newer one wins lookups.
 * WebSocket `/v4/ws/usdt` serves `futures.book_ticker` and, with an `auth` block,
 * `futures.orders`.
 */
import { createHash, createHmac } from 'node:crypto';
import type { WebSocket } from 'ws';
import { LoopbackServer, type RecordedRequest, type Reply } from './loopback-server.js';
import { gateFills, gatePublic } from './depth-fills.routes.js';
import { ASK, BID, SimpleOrderStore, type SimpleOrder } from './simple-orders.js';

export const GATE_KEY = 'gate-key';
export const GATE_SECRET = 'gate-secret';
export const GATE_UID = '10086';
const ORDERS = '/api/v4/futures/usdt/orders';

const reply = (body: unknown, status = 200): Reply => ({ status, body });
const fail = (status: number, label: string, message: string): Reply => ({
  status,
  body: { label, message },
});

function orderJson(o: SimpleOrder) {
  const seconds = o.createdMs / 1000;
  return {
    id: Number(o.id),
    user: Number(GATE_UID),
    contract: o.instrument,
    create_time: seconds,
    size: o.side === 'buy' ? Number(o.size) : -Number(o.size),
    iceberg: 0,
    left: o.status === 'open' ? Number(o.size) : 0,
    price: o.price,
    fill_price: '0',
    mkfr: '-0.00025',
    tkfr: '0.00075',
    tif: o.postOnly ? 'poc' : 'gtc',
    refu: 0,
    is_reduce_only: false,
    is_close: false,
    is_liq: false,
    text: o.clientId,
    status: o.status === 'open' ? 'open' : 'finished',
    finish_time: o.updatedMs / 1000,
    finish_as: o.status === 'open' ? '' : 'cancelled',
    stp_id: 0,
    stp_act: '-',
    amend_text: '-',
  };
}

const CONTRACT = {
  name: 'BTC_USDT',
  type: 'direct',
  quanto_multiplier: '0.0001',
  ref_discount_rate: '0',
  order_price_deviate: '0.5',
  maintenance_rate: '0.004',
  mark_type: 'index',
  last_price: '100000',
  mark_price: '100000',
  index_price: '100000',
  funding_rate_indicative: '0.0001',
  mark_price_round: '0.1',
  funding_offset: 0,
  in_delisting: false,
  risk_limit_base: '1000000',
  interest_rate: '0.0003',
  order_price_round: '0.1',
  order_size_min: 1,
  ref_rebate_rate: '0.2',
  funding_interval: 28800,
  risk_limit_step: '1000000',
  leverage_min: '1',
  leverage_max: '125',
  risk_limit_max: '30000000',
  maker_fee_rate: '-0.00025',
  taker_fee_rate: '0.00075',
  funding_rate: '0.0001',
  order_size_max: 1000000,
  funding_next_apply: 1767254400,
  short_users: 1000,
  config_change_time: 1700000000,
  trade_size: 1000000,
  position_size: 500000,
  long_users: 1000,
  funding_impact_value: '60000',
  orders_limit: 100,
  trade_id: 1,
  orderbook_id: 1,
  enable_bonus: true,
  enable_credit: true,
  create_time: 1569398400,
  funding_cap_ratio: '0.75',
  status: 'trading',
  launch_time: 1569398400,
};

export class GateEmulator {
  readonly server: LoopbackServer;
  readonly store: SimpleOrderStore;
  rateLimited = false;
  private readonly orderSockets = new Set<WebSocket>();
  private readonly bookSockets = new Set<WebSocket>();

  constructor() {
    this.store = new SimpleOrderStore(
      () => Date.now(),
      58828850029n,
      undefined,
      (o) => this.pushOrder(o),
      false,
    );
    this.server = new LoopbackServer(
      (r) => this.handle(r),
      (socket) => this.connect(socket),
    );
  }

  start(): Promise<LoopbackServer> {
    return this.server.start();
  }

  subscriptions(): number {
    return this.orderSockets.size + this.bookSockets.size;
  }

  private handle(r: RecordedRequest): Reply | undefined {
    if (r.path === '/api/v4/futures/usdt/contracts') return reply([CONTRACT]);
    if (r.path === '/api/v4/futures/btc/contracts') return reply([]);
    const book = gatePublic(r);
    if (book !== undefined) return book;
    if (r.headers.key === undefined) return undefined;
    if (r.headers.key !== GATE_KEY || !this.signed(r))
      return fail(401, 'INVALID_SIGNATURE', 'Signature mismatch');
    if (this.rateLimited) return fail(429, 'TOO_MANY_REQUESTS', 'Request Rate limit Exceeded');
    const body = r.body as Record<string, string | number>;
    if (r.method === 'GET' && r.path === '/api/v4/futures/usdt/accounts') {
      return reply({
        user: Number(GATE_UID),
        currency: 'USDT',
        total: '10000',
        unrealised_pnl: '0',
        position_margin: '0',
        order_margin: '0',
        available: '10000',
        point: '0',
        bonus: '0',
        in_dual_mode: false,
        enable_credit: false,
        position_initial_margin: '0',
        maintenance_margin: '0',
        enable_evolved_classic: true,
        cross_initial_margin: '0',
        cross_maintenance_margin: '0',
        cross_order_margin: '0',
        cross_unrealised_pnl: '0',
        cross_available: '10000',
        cross_margin_balance: '10000',
        isolated_position_margin: '0',
        history: {
          dnw: '10000',
          pnl: '0',
          fee: '0',
          refr: '0',
          fund: '0',
          point_dnw: '0',
          point_fee: '0',
          point_refr: '0',
          bonus_dnw: '0',
          bonus_offset: '0',
        },
      });
    }
    if (r.method === 'POST' && r.path === ORDERS) {
      const size = Number(body.size);
      const placed = this.store.place({
        instrument: String(body.contract),
        side: size < 0 ? 'sell' : 'buy',
        price: String(body.price),
        size: String(Math.abs(size)),
        clientId: String(body.text ?? ''),
        postOnly: body.tif === 'poc',
        contractValue: '0.0001',
      });
      if (placed === 'insufficient')
        return fail(400, 'INSUFFICIENT_AVAILABLE', 'Insufficient available balance');
      if (placed === 'would-cross')
        return fail(
          400,
          'POC_FILL_IMMEDIATELY',
          'Order would match and take immediately so it is cancelled',
        );
      if (placed === 'duplicate') return fail(400, 'DUPLICATE_REQUEST', 'Duplicate request');
      return reply(orderJson(placed), 201);
    }
    if (r.path.startsWith(`${ORDERS}/`)) {
      const ref = r.path.slice(ORDERS.length + 1);
      const byText = ref.startsWith('t-');
      const order =
        r.method === 'DELETE'
          ? this.store.cancel(byText ? undefined : ref, byText ? ref : undefined)
          : this.store.find(byText ? undefined : ref, byText ? ref : undefined);
      if (order !== undefined) return reply(orderJson(order));
      return byText
        ? fail(404, 'CLIENT_ID_NOT_FOUND', `Order with client ID ${ref} not found`)
        : fail(404, 'ORDER_NOT_FOUND', 'Order not found');
    }
    return gateFills(r);
  }

  /** Hex HMAC-SHA512 over method, path, query, SHA-512 of the body and timestamp, as Gate signs. */
  private signed(r: RecordedRequest): boolean {
    const bodyHash = createHash('sha512').update(r.rawBody).digest('hex');
    const payload = [
      r.method,
      r.path,
      decodeURIComponent(r.rawQuery),
      bodyHash,
      String(r.headers.timestamp),
    ].join('\n');
    return createHmac('sha512', GATE_SECRET).update(payload).digest('hex') === r.headers.sign;
  }

  private connect(socket: WebSocket): (data: string) => void {
    return (data) => {
      const frame = JSON.parse(data) as {
        time: number;
        id?: number;
        channel: string;
        event: string;
        payload?: string[];
        auth?: { KEY?: string; SIGN?: string };
      };
      const now = Date.now();
      socket.send(
        JSON.stringify({
          time: frame.time,
          time_ms: now,
          id: frame.id,
          channel: frame.channel,
          event: frame.event,
          result: { status: 'success' },
        }),
      );
      if (frame.event !== 'subscribe') return;
      const sign = createHmac('sha512', GATE_SECRET)
        .update(`channel=${frame.channel}&event=${frame.event}&time=${frame.time}`)
        .digest('hex');
      const authorised = frame.auth?.KEY === GATE_KEY && frame.auth.SIGN === sign;
      if (frame.channel === 'futures.orders' && authorised && frame.payload?.[0] === GATE_UID) {
        this.orderSockets.add(socket);
      }
      if (frame.channel === 'futures.book_ticker') {
        this.bookSockets.add(socket);
        const result = { t: now, u: 2517661076, s: frame.payload?.[0], b: BID, B: 5, a: ASK, A: 8 };
        socket.send(
          JSON.stringify({
            time: Math.floor(now / 1000),
            time_ms: now,
            channel: 'futures.book_ticker',
            event: 'update',
            result,
          }),
        );
      }
    };
  }

  private pushOrder(order: SimpleOrder): void {
    const o = orderJson(order);
    const result = [
      {
        ...o,
        create_time_ms: order.createdMs,
        finish_time_ms: order.updatedMs,
        price: Number(o.price),
        user: GATE_UID,
      },
    ];
    const message = {
      channel: 'futures.orders',
      event: 'update',
      time: Math.floor(Date.now() / 1000),
      time_ms: Date.now(),
      result,
    };
    for (const socket of this.orderSockets) socket.send(JSON.stringify(message));
  }
}
