// worker/events: TensorBoard event files (one writer interface; TFRecord framing and Event protos for reading back).
export { decodeEvent, encodeEvent, type ScalarEvent } from './event-proto.js';
export { openEventWriter, type EventWriter, type EventWriterOptions } from './event-writer.js';
export { crc32c, maskedCrc32c } from './crc32c.js';
export { frameRecord, readRecords, TfRecordError } from './tfrecord.js';
