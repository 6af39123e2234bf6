/**
 * @module connector/auth
 * Optional API-key authentication of the connector (off unless keys are configured), as a grpc-js
 * server interceptor. A key is accepted from `x-api-key` (the Go clients) or
 * `authorization: Bearer <key>` (the Python client). Keys are compared as SHA-256 digests with
 * `timingSafeEqual`, against every configured key, so timing reveals neither a key nor its length.
 * grpc.health.v1 stays open so probes and load balancers need no credentials.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  ServerInterceptingCall,
  type Metadata,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerMethodDefinition,
} from '@grpc/grpc-js';
import { ExchangeError } from '../core/errors.js';
import { exchangeErrorToStatus } from './grpc-errors.js';

export const API_KEY_HEADER = 'x-api-key';
const HEALTH_PREFIX = '/grpc.health.v1.Health/';
const BEARER = /^Bearer\s+(\S+)\s*$/i;

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** The key a call presents, from `x-api-key` or else `authorization: Bearer`. */
export function presentedApiKey(metadata: Metadata): string | undefined {
  const direct = metadata.get(API_KEY_HEADER)[0];
  if (typeof direct === 'string' && direct !== '') return direct;
  const authorization = metadata.get('authorization')[0];
  if (typeof authorization !== 'string') return undefined;
  return BEARER.exec(authorization)?.[1];
}

/**
 * An interceptor that admits only calls presenting one of `apiKeys`; others end with
 * UNAUTHENTICATED (reason AUTHENTICATION) before any handler runs.
 * @param apiKeys accepted keys; at least one
 * @throws {Error} when `apiKeys` is empty (leave auth off instead of installing it)
 */
export function createAuthInterceptor(apiKeys: readonly string[]): ServerInterceptor {
  if (apiKeys.length === 0) {
    throw new Error('createAuthInterceptor needs at least one API key; omit it to disable auth');
  }
  const digests = apiKeys.map(digest);
  const accepts = (key: string): boolean => {
    const presented = digest(key);
    let match = false;
    // No early exit: every configured key is compared every time
    for (const expected of digests) match = timingSafeEqual(presented, expected) || match;
    return match;
  };

  return (
    method: ServerMethodDefinition<unknown, unknown>,
    call: ServerInterceptingCallInterface,
  ) => {
    if (method.path.startsWith(HEALTH_PREFIX)) return new ServerInterceptingCall(call);
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, pass) => {
            const key = presentedApiKey(metadata);
            if (key !== undefined && accepts(key)) return pass(metadata);
            const message =
              key === undefined
                ? `missing API key: send metadata "${API_KEY_HEADER}: <key>" or "authorization: Bearer <key>"`
                : `invalid API key for ${method.path}`;
            call.sendStatus(exchangeErrorToStatus(new ExchangeError('AUTHENTICATION', message)));
          },
        }),
    });
  };
}
