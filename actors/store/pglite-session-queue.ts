/**
 * @module actors/store/pglite-session-queue
 * Shares PGlite's single backend session between many wire-protocol connections without letting
 * their conversations interleave.
 *
 * PGlite is one Postgres session. `@electric-sql/pglite-socket` multiplexes connections onto it
 * message by message and pins the session to one connection only while an explicit transaction
 * is open. That is not enough: an extended-query batch (Parse / Bind / Execute / Sync) keeps the
 * unnamed statement and portal in session state until Sync, so another connection's Parse landing
 * between them rebinds the first connection's query (upstream electric-sql/pglite#1046, PR #977).
 * This queue pins the session to a connection from its first message until the backend is back at
 * ReadyForQuery outside a transaction, and keeps running after a failed message instead of
 * stopping for good. It plugs into the upstream `PGLiteSocketHandler` in place of its own queue.
 */

/** The slice of PGlite the queue drives; a structural type so tests can substitute a fake. */
export interface ProtocolSession {
  runExclusive<T>(fn: () => Promise<T> | T): Promise<T>;
  execProtocolRawStream(
    message: Uint8Array,
    options: { onRawData: (data: Uint8Array) => void },
  ): Promise<void>;
  isInTransaction(): boolean;
}

interface Job {
  readonly handlerId: number;
  /** A frontend message, or null to release the session from a connection that went away. */
  readonly message: Uint8Array | null;
  readonly onData: (data: Uint8Array) => void;
  readonly resolve: (bytes: number) => void;
  readonly reject: (e: Error) => void;
}

// Frontend messages after which the backend sends ReadyForQuery: simple Query, Sync, FunctionCall,
// CopyDone, CopyFail, Terminate. A startup packet has no type byte; its first byte is the high byte
// of its length, always 0.
const TURN_ENDING = new Set([0x51, 0x53, 0x46, 0x63, 0x66, 0x58, 0x00]);

/** Sync: ends an extended-query batch a departed client left open, and clears its error state. */
const SYNC = Uint8Array.of(0x53, 0, 0, 0, 4);
const ROLLBACK = simpleQuery('ROLLBACK');

/**
 * The queue `PGLiteSocketHandler` expects (its `queryQueue` option): `enqueue`,
 * `clearQueueForHandler` and `clearTransactionIfNeeded` are the whole contract.
 */
export class PgliteSessionQueue {
  readonly #session: ProtocolSession;
  #jobs: Job[] = [];
  /** The connection that owns the session until its turn ends; null when the session is idle. */
  #owner: number | null = null;
  #running = false;
  #drainWaiters: (() => void)[] = [];

  constructor(session: ProtocolSession) {
    this.#session = session;
  }

  /** Number of messages waiting for the session. */
  get pending(): number {
    return this.#jobs.length;
  }

  /** Resolves once nothing is queued or running; closing waits for it before closing PGlite. */
  drained(): Promise<void> {
    return new Promise((resolve) => {
      this.#drainWaiters.push(resolve);
      this.#notifyIfDrained();
    });
  }

  /**
   * Queues one frontend message of connection `handlerId`; `onData` receives the backend's reply.
   * @returns the number of reply bytes
   */
  enqueue(
    handlerId: number,
    message: Uint8Array,
    onData: (data: Uint8Array) => void,
  ): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#jobs.push({ handlerId, message, onData, resolve, reject });
      void this.#pump();
    });
  }

  /** Fails the queued messages of a connection that went away. */
  clearQueueForHandler(handlerId: number): void {
    const kept: Job[] = [];
    for (const job of this.#jobs) {
      if (job.handlerId === handlerId) job.reject(new Error('connection closed'));
      else kept.push(job);
    }
    this.#jobs = kept;
    this.#notifyIfDrained();
  }

  /**
   * Releases the session from a connection that went away. Queued like a message of that
   * connection, so it runs only once the connection's last message has finished; if the connection
   * then still owns the session (mid-batch or mid-transaction), it ends the open extended-query
   * batch and rolls the transaction back, so the next connection starts from a clean session.
   */
  clearTransactionIfNeeded(handlerId: number): Promise<void> {
    return new Promise((resolve) => {
      const onData = () => undefined;
      // A reset that fails finds PGlite closing: nothing is left to release, and the caller (a
      // detaching handler) has no one to report to
      const done = () => resolve();
      this.#jobs.push({ handlerId, message: null, onData, resolve: done, reject: done });
      void this.#pump();
    });
  }

  #next(): Job | undefined {
    const index =
      this.#owner === null ? 0 : this.#jobs.findIndex((j) => j.handlerId === this.#owner);
    return index < 0 ? undefined : this.#jobs.splice(index, 1)[0];
  }

  async #pump(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      // Stops when the queue is empty or holds nothing from the owner; the owner's next enqueue
      // restarts it. No await sits between the last #next() and clearing #running, so no wake-up
      // is lost.
      for (let job = this.#next(); job; job = this.#next()) await this.#run(job);
    } finally {
      this.#running = false;
      this.#notifyIfDrained();
    }
  }

  #notifyIfDrained(): void {
    if (this.#running || this.#jobs.length > 0) return;
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }

  async #run(job: Job): Promise<void> {
    const session = this.#session;
    const message = job.message;
    let bytes = 0;
    const onRawData = (data: Uint8Array): void => {
      bytes += data.length;
      job.onData(data);
    };
    try {
      await session.runExclusive(async () => {
        if (message) return session.execProtocolRawStream(message, { onRawData });
        // A departed connection that does not own the session left nothing to clean up
        if (this.#owner !== job.handlerId) return;
        await session.execProtocolRawStream(SYNC, { onRawData });
        if (session.isInTransaction()) await session.execProtocolRawStream(ROLLBACK, { onRawData });
      });
    } catch (e) {
      this.#owner = this.#inTransaction() ? job.handlerId : null;
      job.reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    const turnEnded = message === null || TURN_ENDING.has(message[0] ?? 0);
    this.#owner = turnEnded && !this.#inTransaction() ? null : job.handlerId;
    job.resolve(bytes);
  }

  /** Whether the session is inside a transaction; false once PGlite is closed, when it throws. */
  #inTransaction(): boolean {
    try {
      return this.#session.isInTransaction();
    } catch {
      return false;
    }
  }
}

/** A simple-protocol Query message for `text`. */
function simpleQuery(text: string): Uint8Array {
  const body = Buffer.from(`${text}\0`, 'utf8');
  const message = Buffer.alloc(5 + body.length);
  message.write('Q', 0, 'ascii');
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return message;
}
