// keepLast pruning, run by rank 0 after commit() moved latest.json. It keeps the checkpoint latest.json points
// at and the newest keepLast - 1 committed ones before it, and deletes every other checkpoint directory below
// the latest step (older committed ones and torn leftovers). Directories above the latest step are left alone.
// Each directory goes manifest.json first, so a reader never finds a manifest whose blobs are half deleted.
import { CheckpointLocationError } from './errors.js';
import { checkpointDir, MANIFEST } from './layout.js';
import { listCheckpoints, readLatestPointer } from './read.js';
import type { CheckpointStore } from './store.js';

/** Deletes what keepLast does not keep; returns the steps deleted. Nothing is deleted without latest.json. */
export async function pruneCheckpoints(
  store: CheckpointStore,
  stage: string,
  keepLast: number,
  signal?: AbortSignal,
): Promise<number[]> {
  if (!Number.isSafeInteger(keepLast) || keepLast < 1) {
    throw new CheckpointLocationError(
      `keepLast ${keepLast}`,
      'is not a whole number >= 1',
      'set checkpoint.keepLast to 1 or more',
    );
  }
  const pointer = await readLatestPointer(store, stage, signal);
  if (pointer === undefined) return [];
  const listings = await listCheckpoints(store, stage, signal);
  const kept = new Set(
    listings
      .filter((listing) => listing.committed && listing.step <= pointer.step)
      .map((listing) => listing.step)
      .sort((a, b) => b - a)
      .slice(0, keepLast),
  );
  kept.add(pointer.step);
  const removed: number[] = [];
  for (const listing of listings) {
    if (listing.step >= pointer.step || kept.has(listing.step)) continue;
    const manifest = `${checkpointDir(stage, listing.step)}/${MANIFEST}`;
    const rest = listing.objects.filter((name) => name !== manifest);
    await store.remove(listing.committed ? [manifest, ...rest] : rest, signal);
    removed.push(listing.step);
  }
  return removed;
}
