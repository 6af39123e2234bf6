/**
 * @module test/support/contract-registry
 * The ExchangeService contract as protobuf-es descriptors, read from the committed image
 * (proto/contract.binpb): an independent, strict protobuf decoder for tests to hold the
 * connector's own request decoding against.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createFileRegistry,
  fromBinary,
  type DescMessage,
  type DescService,
} from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

const IMAGE = fileURLToPath(new URL('../../proto/contract.binpb', import.meta.url));

const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(IMAGE)));

/** The ExchangeService descriptor of the committed contract. */
export const exchangeService: DescService = (() => {
  const service = registry.getService('opensqt.market_maker.v1.ExchangeService');
  if (service === undefined)
    throw new Error(`${IMAGE} has no opensqt.market_maker.v1.ExchangeService`);
  return service;
})();

/** The request message of a generated-client method name ("placeOrder"), if the contract has it. */
export function requestDescriptor(method: string): DescMessage | undefined {
  return exchangeService.methods.find((m) => m.localName === method)?.input;
}

/**
 * Why protobuf-es refuses `bytes` as a `message`, or undefined when it decodes them. protobuf-es
 * checks tags, wire types, lengths, nested messages and UTF-8 of proto3 strings.
 */
export function referenceDecodeProblem(
  message: DescMessage,
  bytes: Uint8Array,
): string | undefined {
  try {
    fromBinary(message, bytes);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
