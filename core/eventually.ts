/**
 * @module core/eventually
 * Waiting for something that will happen: polls a check until it yields a value, or fails naming
 * what it waited for. The one polling helper of the code base (tests, the conformance CLI), so a
 * wait is always bounded and always says what did not happen.
 */

/** How often a check is polled, ms. */
const POLL_MS = 5;

/**
 * Polls `check` until it returns something other than `false` or `undefined`.
 * @param check - sync or async; its first truthy-enough value is returned
 * @param what - what is awaited, for the timeout message
 * @param timeoutMs - how long to wait; default 10 s
 * @returns the value `check` returned
 * @throws {Error} "timed out after N ms waiting for <what>"
 */
export async function eventually<T>(
  check: () => T | false | undefined | Promise<T | false | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== false && value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
