#!/usr/bin/env node
// Container health probe, plain JavaScript so each probe costs one bare `node` start (~0.1 s of
// CPU) instead of a TypeScript loader. Exit 0 = healthy, 1 = not.
//   node deploy/healthcheck.mjs http URL         GET URL answers 2xx
//   node deploy/healthcheck.mjs grpc HOST:PORT   grpc.health.v1 Check("") answers SERVING
import { Client, credentials } from '@grpc/grpc-js';
import { BinaryReader } from '@bufbuild/protobuf/wire';

const TIMEOUT_MS = 3000;
const SERVING = 1;

/** Probes an HTTP endpoint; resolves to a reason string when unhealthy, undefined when healthy. */
async function probeHttp(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  await response.body?.cancel();
  return response.ok ? undefined : `${url} answered ${response.status}`;
}

/** Reads field 1 (status) of a HealthCheckResponse. */
function servingStatus(bytes) {
  const reader = new BinaryReader(bytes);
  let status = 0;
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1) status = reader.int32();
    else reader.skip(wireType);
  }
  return status;
}

/** Probes the standard gRPC health service for the whole server (service ""). */
function probeGrpc(address) {
  const client = new Client(address, credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      // HealthCheckRequest{service: ""} encodes to zero bytes
      () => Buffer.alloc(0),
      (bytes) => servingStatus(bytes),
      {},
      { deadline: Date.now() + TIMEOUT_MS },
      (error, status) => {
        client.close();
        if (error) resolve(`${address}: ${error.message}`);
        else resolve(status === SERVING ? undefined : `${address}: status ${status}, not SERVING`);
      },
    );
  });
}

const [kind, target] = process.argv.slice(2);
const probes = { http: probeHttp, grpc: probeGrpc };
if (!(kind in probes) || !target) {
  console.error('usage: healthcheck.mjs http URL | grpc HOST:PORT');
  process.exit(2);
}
try {
  const problem = await probes[kind](target);
  if (problem) {
    console.error(`unhealthy: ${problem}`);
    process.exit(1);
  }
} catch (e) {
  console.error(`unhealthy: ${target}: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
process.exit(0);
