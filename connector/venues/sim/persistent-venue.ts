/**
 * @module connector/venues/sim/persistent-venue
 * The simulated venue as the connector process hosts it: restored from its state file at start and
 * saved back periodically and on shutdown, so that, like a real exchange, it keeps its orders,
 * positions and balances while our processes restart.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../../core/clock.js';
import { createSimulatedVenue, type SimulatedVenue } from './sim-venue.js';
import type { SimVenueConfigInput } from './sim-config.js';
import { loadSimVenueStateFile, saveSimVenueStateFile } from './sim-state-file.js';

export interface PersistentSimVenue {
  readonly venue: SimulatedVenue;
  /** Writes the state file now (atomically). */
  save(): void;
  /** Stops the periodic save, saves a last time and closes the venue. */
  close(): Promise<void>;
}

/**
 * Opens the simulated venue from `statePath` (fresh when the file does not exist yet).
 * @param statePath state file; empty string = in-memory only
 * @param saveIntervalMs period of the background save; 0 = only on close
 * @throws {SimStateError} when the file exists but cannot be restored (never starts fresh silently)
 */
export function openPersistentSimVenue(
  config: SimVenueConfigInput,
  clock: Clock,
  statePath: string,
  saveIntervalMs: number,
  log: Logger,
): PersistentSimVenue {
  const state = statePath === '' ? undefined : loadSimVenueStateFile(statePath);
  const venue = createSimulatedVenue(config, clock, { state });
  log.info(
    { statePath: statePath || null, restored: state !== undefined },
    state ? 'simulated venue restored from its state file' : 'simulated venue started fresh',
  );
  const save = (): void => {
    if (statePath !== '') saveSimVenueStateFile(statePath, venue.saveState());
  };
  const timer =
    statePath !== '' && saveIntervalMs > 0
      ? setInterval(() => {
          try {
            save();
          } catch (e) {
            log.error({ err: e, statePath }, 'cannot save the simulated venue state');
          }
        }, saveIntervalMs).unref()
      : undefined;
  return {
    venue,
    save,
    close: async () => {
      clearInterval(timer);
      save();
      await venue.close();
    },
  };
}
