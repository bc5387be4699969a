// One TensorBoard event writer for every backend: with the native backend, tfjs-node's summary writer (TensorFlow's
// own event file writer, through the C API); with wasm and cpu, ours, writing the same files: TFRecords of Event
// protos, named events.out.tfevents.<seconds>.<host>.v2 like TensorFlow's, first record file_version
// "brain.Event:2", scalars as simple_value. test/worker/events/ reads both back with the same reader.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { TfBackendName } from '../tf/backend-choice.js';
import { nativeSummaryWriter } from '../tf/native.js';
import { encodeEvent } from './event-proto.js';
import { frameRecord } from './tfrecord.js';

export interface EventWriter {
  /** Records `value` under `tag` at `step` (wall time: now). */
  scalar(tag: string, value: number, step: number): void;
  /** Makes everything recorded so far durable in the log directory. */
  flush(): Promise<void>;
  /** Flushes; the writer takes no more scalars. */
  close(): Promise<void>;
}

export interface EventWriterOptions {
  /** The active tfjs backend: 'tensorflow' uses tfjs-node's writer, the others ours. */
  backend: TfBackendName;
  /** Wall clock in ms (tests fix it). @default Date.now */
  now?: () => number;
}

/** Our writer: records buffered in memory, appended to the file on flush. */
class TfRecordEventWriter implements EventWriter {
  private pending: Buffer[] = [];
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly now: () => number,
  ) {
    writeFileSync(
      file,
      frameRecord(encodeEvent({ wallTime: now() / 1000, step: 0, fileVersion: 'brain.Event:2' })),
    );
  }

  scalar(tag: string, value: number, step: number): void {
    if (this.closed) throw new Error(`event writer for ${this.file} is closed`);
    this.pending.push(
      frameRecord(encodeEvent({ wallTime: this.now() / 1000, step, scalars: { [tag]: value } })),
    );
  }

  flush(): Promise<void> {
    if (this.pending.length > 0) appendFileSync(this.file, Buffer.concat(this.pending));
    this.pending = [];
    return Promise.resolve();
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}

/** Opens an event writer in `logdir` (created if missing) for the backend in use. */
export function openEventWriter(logdir: string, options: EventWriterOptions): EventWriter {
  mkdirSync(logdir, { recursive: true });
  if (options.backend === 'tensorflow') {
    const native = nativeSummaryWriter(logdir);
    return {
      scalar: (tag, value, step) => native.scalar(tag, value, step),
      flush: () => Promise.resolve(native.flush()),
      close: () => Promise.resolve(native.flush()),
    };
  }
  const now = options.now ?? Date.now;
  const seconds = String(Math.floor(now() / 1000)).padStart(10, '0');
  return new TfRecordEventWriter(join(logdir, `events.out.tfevents.${seconds}.${hostname()}.v2`), now);
}
