/**
 * @module connector/venues/sim/sim-state-file
 * The simulated venue's state on disk, so open orders, positions and balances survive a restart
 * of the connector process the way they survive on a real exchange. Writes go to `path.tmp`
 * and are renamed over the file: a rename is atomic on POSIX filesystems, so a crash mid-write
 * leaves the previous state intact instead of a truncated file.
 */
import {
  accessSync,
  constants,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { parseSimVenueState, SimStateError, type SimVenueState } from './sim-state.js';

const DEFAULT_NAME = 'sim-venue.json';

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Why `path` cannot hold the state file, with the fix, or undefined when it can: it must not be a
 * directory, and its nearest existing ancestor must be a writable directory (missing directories
 * are created on the first save). Checked at startup so a bad path fails then, naming itself,
 * rather than as EISDIR, or at the first save after hours of trading.
 */
export function stateFileProblem(path: string): string | undefined {
  const stats = statOf(path);
  if (path.endsWith('/') || stats?.isDirectory() === true) {
    return `${path} is a directory; name a file inside it, e.g. ${join(path, DEFAULT_NAME)}`;
  }
  if (stats !== undefined && !stats.isFile()) {
    return `${path} is not a regular file; name a file such as data/${DEFAULT_NAME}`;
  }
  let dir = dirname(path);
  let dirStats = statOf(dir);
  while (dirStats === undefined && dirname(dir) !== dir) {
    dir = dirname(dir);
    dirStats = statOf(dir);
  }
  if (dirStats !== undefined && !dirStats.isDirectory()) {
    return `${dir} is not a directory; put the state file in a directory, e.g. data/${DEFAULT_NAME}`;
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    return `${dir} cannot be written by this process; choose a writable directory or fix its permissions`;
  }
  return undefined;
}

/**
 * Reads and validates a saved venue state.
 * @returns the state, or undefined when the file does not exist (first start)
 * @throws {SimStateError} when the path cannot hold the state, or the file is not JSON or not a
 *   valid state (naming the file)
 */
export function loadSimVenueStateFile(path: string): SimVenueState | undefined {
  const problem = stateFileProblem(path);
  if (problem !== undefined) throw new SimStateError([`state file: ${problem}`]);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SimStateError([`${path}: cannot be read (${(e as Error).message})`]);
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
