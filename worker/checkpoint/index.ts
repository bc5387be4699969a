// The checkpoint store (issue #13 point 3, docs/adr/0023-checkpoints.md): one CheckpointStore over a local
// directory or S3, the cross-rank write/commit protocol, verified reads with resume: auto fallback, keepLast
// pruning, the state serialisation and the SIGTERM "checkpoint now" hook.
export {
  CheckpointCorruptError,
  CheckpointError,
  CheckpointIncompleteError,
  CheckpointLocationError,
  CheckpointMismatchError,
  CheckpointObjectMissingError,
} from './errors.js';
export { checkpointDir, latestName, rankPart, SHARED_PART, stageDir } from './layout.js';
export { LocalCheckpointStore } from './local-store.js';
export type { BlobEntry, CheckpointManifest, LatestPointer, PartManifest } from './manifest.js';
export {
  openCheckpointStore,
  parseCheckpointRef,
  parseCheckpointUri,
  type CheckpointLocation,
  type CheckpointRef,
  type OpenCheckpointStoreOptions,
} from './open-store.js';
export { pruneCheckpoints } from './prune.js';
export {
  listCheckpoints,
  partBlobs,
  rankBlobs,
  readCheckpoint,
  readLatestPointer,
  resumeLatest,
  sharedBlobs,
  type CheckpointListing,
  type LoadedCheckpoint,
  type ReadOptions,
  type ResumeExpectation,
  type ResumeOptions,
} from './read.js';
export { S3CheckpointStore, type S3CheckpointStoreOptions } from './s3-store.js';
export {
  decodeRankState,
  decodeSharedState,
  encodeRankState,
  encodeSharedState,
  tensorBlobs,
  type JsonValue,
  type RankState,
  type SharedState,
} from './state.js';
export type { CheckpointStore } from './store.js';
export {
  finalCheckpointMs,
  watchTermination,
  type TerminationOptions,
  type TerminationWatch,
} from './terminate.js';
export {
  commit,
  writePart,
  writeRankState,
  writeSharedState,
  type Blobs,
  type CommitOptions,
  type CommittedCheckpoint,
} from './write.js';
