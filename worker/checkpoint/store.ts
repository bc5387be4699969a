// Where checkpoints live, behind the one interface a local directory (local-store.ts) and S3 (s3-store.ts)
// both implement: whole objects by relative name under a root. `put` is atomic per object (a reader sees the
// old object or the new one whole, never a prefix of it): a temp file renamed into place locally, a PutObject
// or a completed multipart upload in S3. Nothing else is atomic, so the commit protocol (protocol.ts) gets
// its all-or-nothing from the order of the writes: latest.json last.

export interface CheckpointStore {
  /** The root, for messages: a directory path or `s3://bucket/prefix`. */
  readonly description: string;
  /** The full location of `name` (a path or an s3:// URI), for messages and checkpoint reports. */
  locate(name: string): string;
  /** Stores `bytes` under `name`, replacing any object there. */
  put(name: string, bytes: Uint8Array, signal?: AbortSignal): Promise<void>;
  /** The object under `name`; rejects with CheckpointObjectMissingError when there is none. */
  get(name: string, signal?: AbortSignal): Promise<Uint8Array>;
  /** The object's size in bytes, or undefined when there is none. */
  size(name: string, signal?: AbortSignal): Promise<number | undefined>;
  /** Every object name under `prefix/` (recursively), sorted; [] when there is none. */
  list(prefix: string, signal?: AbortSignal): Promise<string[]>;
  /** Deletes the objects in the order given; names that do not exist are skipped. */
  remove(names: readonly string[], signal?: AbortSignal): Promise<void>;
}
