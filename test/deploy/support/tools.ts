/**
 * @module test/deploy/support/tools
 * Finds external tools (promtool, prometheus) on PATH, so suites that need one can skip with a
 * stated reason where it is not installed.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * @param name - the executable's name
 * @returns its absolute path, or undefined when no PATH entry has it
 */
export function findTool(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
