/**
 * @module test/support/event-walk
 * Every event sequence up to a depth that a machine accepts, for exhaustive replay in
 * model-based tests. `xstate/graph`'s simple paths explode on machines whose state space is
 * large but whose interesting behaviour is short; this enumerates sequences instead (depth-first,
 * on pure snapshots via `getNextSnapshot`), so each one can be replayed on the system under test
 * with its invariants checked after every step.
 */
import {
  createActor,
  getNextSnapshot,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type EventFromLogic,
  type InputFrom,
  type SnapshotFrom,
} from 'xstate';

/**
 * Calls `visit` with every event sequence of exactly `depth` events (or fewer where no event is
 * enabled any more) that the machine accepts from its initial state.
 * @param machine - the machine under test
 * @param input - its input
 * @param events - the candidate events in a state (may read the snapshot's context)
 * @param depth - sequence length
 * @param visit - called once per sequence
 * @returns how many sequences were visited
 */
export function walkEventSequences<M extends AnyStateMachine>(
  machine: M,
  input: InputFrom<M>,
  events: (snapshot: SnapshotFrom<M>) => readonly EventFromLogic<M>[],
  depth: number,
  visit: (sequence: readonly EventFromLogic<M>[]) => void,
): number {
  const actor = createActor(machine, { input });
  const initial = actor.getSnapshot() as SnapshotFrom<M>;
  let visited = 0;
  const walk = (snapshot: SnapshotFrom<M>, sequence: EventFromLogic<M>[]) => {
    const enabled =
      sequence.length < depth
        ? events(snapshot).filter((e) => (snapshot as AnyMachineSnapshot).can(e))
        : [];
    if (enabled.length === 0) {
      visit(sequence);
      visited += 1;
      return;
    }
    for (const event of enabled) {
      walk(getNextSnapshot(machine, snapshot, event), [...sequence, event]);
    }
  };
  walk(initial, []);
  return visited;
}
