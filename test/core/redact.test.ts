/**
 * Credentials never reach a log line, an error or a config echo: a set of hostile database URLs
 * (passwords holding `#`, `@`, `/`, `?`, `:` and percent-escapes, user-info without a user,
 * tokens as user names, DSN keywords, query-string secrets) goes through every path a secret
 * takes in practice: the message, a field, a nested field, an error's message, stack, fields and
 * cause, Node's own `new URL()` error (which quotes its input), the engine config loader and the
 * database opener.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';

import { loadEngineConfig } from '../../actors/engine/engine.config.js';
import { ConfigError } from '../../core/config-file.js';
import { ExchangeError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { redactError, redactText, redactValue, REDACTED } from '../../core/redact.js';

/** Each hostile URL with the secret that must never be printed. */
const HOSTILE: readonly (readonly [url: string, secret: string])[] = [
  ['postgres://trader:pa#ss@db.internal:5432/engine', 'pa#ss'],
  ['postgres://trader:p@ss/w#rd@db.internal/engine', 'p@ss/w#rd'],
  ['postgresql://admin:S3cr3t!%23x@db.example.com:5432/app?sslmode=require', 'S3cr3t!%23x'],
  ['postgres://:onlyApassword@10.0.0.7/db', 'onlyApassword'],
  ['postgres://user:zz9secret@[::1]:5432/db', 'zz9secret'],
  ['postgres://user:a:b:c:colons99@host/db', 'a:b:c:colons99'],
  ['postgres://user:q?uery=1&x#frag@host/db', 'q?uery=1&x#frag'],
  ['https://ghp_Tok3nAsUserName0123@github.com/org/repo.git', 'ghp_Tok3nAsUserName0123'],
  ['postgres://host/db?user=u&password=QwErTy_77&sslmode=disable', 'QwErTy_77'],
  ['host=db port=5432 user=trader password=Kw4rd_dsn dbname=engine', 'Kw4rd_dsn'],
  ['wss://stream.example/ws?api_key=AKIA1234SECRET&symbol=BTCUSDT', 'AKIA1234SECRET'],
];

/** A logger writing into `lines`, at debug so nothing is filtered. */
function capture(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: createLogger('redact-test', 'debug', sink), lines };
}

function urlError(url: string): unknown {
  try {
    new URL(url);
  } catch (e) {
    return e;
  }
  return new TypeError(`Invalid URL ${url}`);
}

describe('redaction', () => {
  it('removes the password of every hostile URL and keeps the rest readable', () => {
    for (const [url, secret] of HOSTILE) {
      const text = redactText(`could not connect to ${url} (refused)`);
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
      assert.ok(text.includes(REDACTED), `nothing redacted in: ${text}`);
      assert.match(text, /\(refused\)$/);
    }
    assert.equal(
      redactText('postgres://trader:pa#ss@db.internal:5432/engine'),
      'postgres://trader:***@db.internal:5432/engine',
    );
    assert.equal(redactText('http://127.0.0.1:8080/status'), 'http://127.0.0.1:8080/status');
  });

  it('writes no secret in any log line, whichever way it is logged', () => {
    const { log, lines } = capture();
    for (const [url] of HOSTILE) {
      const nodeError = urlError(url);
      log.error(`cannot open ${url}`);
      log.warn({ url, nested: { database: { url } }, list: [url] }, 'database');
      log.error({ err: nodeError }, 'bad url');
      log.error({ err: new Error(`connect ${url} failed`, { cause: nodeError }) }, 'wrapped');
      log.error(new ExchangeError('NETWORK', `GET ${url} timed out`), 'venue');
      log.info({ password: 'hunter2', api_key: 'k-123', config: { jwt_secret: 's3' } }, 'keys');
      log.child({ connection: url }).info('child binding');
      log.info('format %s args', url);
    }
    const secrets = [...HOSTILE.map(([, s]) => s), 'hunter2', 'k-123'];
    for (const line of lines) {
      for (const secret of secrets) assert.ok(!line.includes(secret), `${secret} in ${line}`);
    }
    assert.ok(lines.length >= HOSTILE.length * 8);
    const venue = lines.map((l) => JSON.parse(l) as { msg: string; err?: { type: string } });
    assert.ok(venue.some((l) => l.msg === 'venue' && l.err?.type === 'ExchangeError'));
  });

  it('keeps the class and fields of a redacted error', () => {
    const [url, secret] = HOSTILE[0]!;
    const e = new ExchangeError('AUTHENTICATION', `refused by ${url}`, { field: 'url' });
    const safe = redactError(e);
    assert.ok(safe instanceof ExchangeError);
    assert.equal(safe.reason, 'AUTHENTICATION');
    assert.equal(safe.field, 'url');
    assert.ok(!safe.message.includes(secret) && !(safe.stack ?? '').includes(secret));
    assert.deepEqual(redactValue({ token: '', password: null }), { token: '', password: null });
  });

  it('refuses a malformed database URL in the config without echoing it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redact-'));
    const file = path.join(dir, 'market_maker.yaml');
    writeFileSync(file, 'database:\n  url: ${DATABASE_URL:-}\n');
    const malformed = [HOSTILE[0]!, HOSTILE[1]!, ['mysql://u:NotPg_99@h/db', 'NotPg_99'] as const];
    try {
      for (const [url, secret] of malformed) {
        assert.throws(
          () => loadEngineConfig({ configPath: file, configRequired: true }, { DATABASE_URL: url }),
          (e) => {
            assert.ok(e instanceof ConfigError);
            assert.match(e.message, /database\.url: must be a postgres:\/\/ /);
            assert.ok(!e.message.includes(secret!), e.message);
            return true;
          },
        );
      }
      const fine = 'postgresql://admin:S3cr3t!%23x@db.example.com:5432/app';
      const config = loadEngineConfig(
        { configPath: file, configRequired: true },
        { DATABASE_URL: fine },
      );
      assert.equal(config.database.url, fine);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
