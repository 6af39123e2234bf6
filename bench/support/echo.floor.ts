/**
 * @module bench/support/echo.floor
 * The floor every connector figure is compared with: a bare grpc-js service that echoes raw bytes
 * (unary) and streams raw bytes (server-streaming), with no codec, no venue and no logic. Whatever
 * the connector adds on top of this is our cost.
 */
import * as grpc from '@grpc/grpc-js';

const identity = (b: Buffer): Buffer => b;

export const ECHO_SERVICE: grpc.ServiceDefinition = {
  echo: {
    path: '/bench.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
  stream: {
    path: '/bench.Echo/Stream',
    requestStream: false,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

/** Server side: echo returns the request; stream sends the request back `count` times (first byte). */
export function echoImplementation(
  onStream: (call: grpc.ServerWritableStream<Buffer, Buffer>) => void,
) {
  return {
    echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) =>
      callback(null, call.request),
    stream: onStream,
  };
}

export const EchoClient = grpc.makeGenericClientConstructor(ECHO_SERVICE, 'Echo');
