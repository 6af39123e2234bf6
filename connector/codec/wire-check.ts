/**
 * @module connector/codec/wire-check
 * Strict decoding of request bytes. ts-proto's generated decoders are lenient by design: a zero
 * tag or an end-group marker ends the message early and returns whatever was read so far, so a
 * single 0x00 byte decoded as an empty `CancelAllOrdersRequest` (symbol "", meaning every symbol).
 * Before a request reaches its decoder, its framing is walked with protobuf-es' `BinaryReader`:
 * every tag names a field >= 1 with a wire type proto3 uses, every length stays inside its
 * message, nested request messages are walked the same way, and the bytes end exactly at the end
 * of the message. Unknown fields stay allowed (proto3 forward compatibility).
 *
 * grpc-js answers a deserializer that throws with INTERNAL, so `strictRequests` makes the
 * deserializer return a marked `MalformedRequest` instead, which the service answers with
 * INVALID_ARGUMENT.
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** Field numbers of a message that hold nested messages, each with its own shape. */
export interface WireShape {
  readonly [fieldNo: number]: WireShape;
}

/** Nested request messages deeper than this are refused (our requests nest two levels). */
const MAX_DEPTH = 8;

/**
 * Why `bytes` are not a well-framed protobuf message of `shape`, or undefined when they are.
 * @param shape which fields hold nested messages; others are scalars, strings or unknown
 */
export function checkWireFormat(bytes: Uint8Array, shape: WireShape = {}): string | undefined {
  try {
    const reader = new BinaryReader(bytes);
    walk(reader, bytes.length, shape, 0);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function walk(reader: BinaryReader, end: number, shape: WireShape, depth: number): void {
  if (depth > MAX_DEPTH) throw new Error(`messages nested deeper than ${MAX_DEPTH} levels`);
  while (reader.pos < end) {
    const at = reader.pos;
    const [fieldNo, wireType] = reader.tag();
    switch (wireType) {
      case WireType.Varint:
      case WireType.Bit64:
      case WireType.Bit32:
        reader.skip(wireType, fieldNo);
        break;
      case WireType.LengthDelimited: {
        const length = reader.uint32();
        const stop = reader.pos + length;
        if (stop > end) {
          throw new Error(`field ${fieldNo} at byte ${at}: length ${length} runs past the message`);
        }
        const nested = shape[fieldNo];
        if (nested === undefined) reader.pos = stop;
        else walk(reader, stop, nested, depth + 1);
        break;
      }
      default:
        throw new Error(
          `field ${fieldNo} at byte ${at}: groups (wire type ${wireType}) are not proto3`,
        );
    }
    if (reader.pos > end) throw new Error(`field ${fieldNo} at byte ${at}: truncated`);
  }
}

const MALFORMED = Symbol('malformed request');

/** What a strict deserializer returns for bytes that are not a message of its type. */
export interface MalformedRequest {
  readonly [MALFORMED]: string;
}

/** The problem of a request that failed strict decoding, or undefined for a decoded one. */
export function malformedProblem(request: unknown): string | undefined {
  return typeof request === 'object' && request !== null && MALFORMED in request
    ? (request as MalformedRequest)[MALFORMED]
    : undefined;
}

interface MethodDefinition {
  readonly requestDeserialize: (bytes: Buffer) => unknown;
}

/**
 * `definition` with every request deserializer made strict: bytes that fail the framing check or
 * the decoder come out as a `MalformedRequest` (see `malformedProblem`) instead of a partial
 * message or an exception grpc-js would turn into INTERNAL.
 * @param shapes nested-message fields of each method's request, by method name
 */
export function strictRequests<D extends Record<string, MethodDefinition>>(
  definition: D,
  shapes: { readonly [M in keyof D]?: WireShape },
): D {
  const strict: Record<string, MethodDefinition> = {};
  for (const [name, method] of Object.entries(definition)) {
    const shape = shapes[name as keyof D] ?? {};
    strict[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        const problem = checkWireFormat(bytes, shape);
        if (problem !== undefined) return { [MALFORMED]: problem } satisfies MalformedRequest;
        try {
          return method.requestDeserialize(bytes);
        } catch (e) {
          return { [MALFORMED]: e instanceof Error ? e.message : String(e) };
        }
      },
    };
  }
  return strict as D;
}
