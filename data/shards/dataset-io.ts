// The two sides of dataset storage, as types only: prepare writes through a DatasetSink, the reader reads
// through a DatasetSource. local-store.ts and s3-store.ts implement them; store.ts picks one by location.

export interface DatasetSink {
  /** Where `name` ends up, for messages: a path or an s3:// URI. */
  describe(name: string): string;
  write(name: string, body: Buffer, signal?: AbortSignal): Promise<void>;
  /** Copies a (possibly large) local file without holding it in memory. */
  copyFile(name: string, path: string, signal?: AbortSignal): Promise<void>;
  /** Writes manifest.json last, which publishes the dataset. */
  commit(manifest: Buffer, signal?: AbortSignal): Promise<void>;
  /** Removes everything written so far. */
  abort(): Promise<void>;
}

export interface DatasetSource {
  describe(name: string): string;
  /** A small object in full (manifest.json). */
  read(name: string, signal?: AbortSignal): Promise<Buffer>;
  /** A large object as a byte stream; stopping early releases the connection. */
  stream(name: string, signal?: AbortSignal): AsyncIterable<Uint8Array>;
}
