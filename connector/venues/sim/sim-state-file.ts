/**
 * @module connector/venues/sim/sim-state-file
 * The simulated venue's state on disk, so open orders, positions and balances survive a restart
 * of the connector process the way they survive on a real exchange. Writes go to `path.tmp`
 * and are renamed over the file: a rename is atomic on POSIX filesystems, so a crash mid-write
 * leaves the previous state intact instead of a truncated file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseSimVenueState, SimStateError, type SimVenueState } from './sim-state.js';

/**
 * Reads and validates a saved venue state.
 * @returns the state, or undefined when the file does not exist (first start)
 * @throws {SimStateError} when the file is not JSON or not a valid state (naming the file)
 */
export function loadSimVenueStateFile(path: string): SimVenueState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SimStateError([`${path}: not valid JSON (${(e as Error).message})`]);
  }
  try {
    return parseSimVenueState(json);
  } catch (e) {
    if (e instanceof SimStateError) {
      throw new SimStateError(e.problems.map((p) => `${path}: ${p}`));
    }
    throw e;
  }
}

/**
 * Writes a venue state atomically (temp file, then rename), creating the directory if needed.
 * @param state what `venue.saveState()` returned
 */
export function saveSimVenueStateFile(path: string, state: SimVenueState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, path);
}
