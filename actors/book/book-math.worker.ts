/**
 * @module actors/book/book-math.worker
 * The Piscina worker of the book-math pool: one task in, its metrics out as decimal strings.
 * Importing the task module loads core/decimal, so the worker computes with the same decimal.js
 * precision and rounding as the main thread.
 */
import { runBookTask } from './book-task.js';

export default runBookTask;
