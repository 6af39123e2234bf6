/**
 * @module actors/engine/machine-inspection
 * Development aid: streams every machine actor's lifecycle, events and snapshots to a Stately
 * inspector over WebSocket, so a developer watches grid slots, trading states and breakers move
 * live. Off unless asked for: `OPENSQT_INSPECT=ws://127.0.0.1:8090` (or `--inspect <url>`) on
 * the engine; `npm start -- --inspect` starts the local inspector bridge and sets it for you.
 *
 * Inspection never touches trading: the observer only forwards copies, a dead or absent inspector
 * endpoint costs nothing but a bounded buffer of the latest events, and nothing here is durable.
 */
import { createWebSocketInspector } from '@statelyai/inspect';
import type { InspectionEvent, Observer } from 'xstate';

/** The environment variable naming the inspector's WebSocket endpoint. */
export const INSPECT_ENV = 'OPENSQT_INSPECT';

/** Events kept while the inspector endpoint is not connected yet (oldest dropped first). */
const MAX_DEFERRED_EVENTS = 1000;

/** A running inspection: pass `inspect` as `createActor(machine, { inspect })`. */
export interface MachineInspection {
  /** The endpoint events go to. */
  readonly url: string;
  readonly inspect: Observer<InspectionEvent>;
  /** Closes the connection to the inspector. */
  stop(): void;
}

/**
 * Connects to a Stately inspector endpoint (it reconnects by itself if the endpoint starts later).
 * @param url - `ws://` or `wss://` address of the inspector bridge
 * @returns the inspection; its `inspect` observer goes to every machine actor
 * @throws {Error} naming the setting when `url` is not a WebSocket URL
 */
export function startMachineInspection(url: string): MachineInspection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${INSPECT_ENV}: must be a ws:// URL of a Stately inspector, was "${url}"`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new Error(`${INSPECT_ENV}: must be a ws:// or wss:// URL, was "${url}"`);
  }
  const inspector = createWebSocketInspector({ url, maxDeferredEvents: MAX_DEFERRED_EVENTS });
  return { url, inspect: inspector.inspect, stop: () => inspector.stop() };
}

/**
 * The inspection the environment asks for, if any.
 * @param env - the process environment
 * @returns a running inspection, or undefined when `OPENSQT_INSPECT` is unset or empty
 */
export function machineInspectionFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): MachineInspection | undefined {
  const url = env[INSPECT_ENV]?.trim();
  return url ? startMachineInspection(url) : undefined;
}

/** This process's inspection: unset until first asked, then the one `OPENSQT_INSPECT` names. */
let processInspection: MachineInspection | null | undefined;

/**
 * The `createActor` options that attach this process's inspection, read from `OPENSQT_INSPECT`
 * once: every machine actor the engine creates spreads them in, so one setting reaches every
 * slot, trading state and breaker without threading an observer through each constructor.
 * @returns `{ inspect }` when inspection is on, else `{}`
 */
export function inspectOptions(): { inspect?: Observer<InspectionEvent> } {
  if (processInspection === undefined) processInspection = machineInspectionFromEnv() ?? null;
  return processInspection ? { inspect: processInspection.inspect } : {};
}
