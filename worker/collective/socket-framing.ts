// Message framing on a byte stream (the local transport's Unix sockets): [u32 LE body length][u8 type][body].
// The reader copies each body once into its own buffer, or hands out a view when one socket read holds it all.

export const MessageType = { hello: 0, data: 1, grant: 2, notice: 3 } as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

const PREFIX_BYTES = 5;

/** The bytes to write for one message (the prefix; write the body after it, no concatenation needed). */
export function messagePrefix(type: MessageType, bodyLength: number): Uint8Array {
  const prefix = new Uint8Array(PREFIX_BYTES);
  new DataView(prefix.buffer).setUint32(0, bodyLength, true);
  prefix[4] = type;
  return prefix;
}

/** Splits a byte stream into messages; `onMessage` gets each body (valid only during the call). */
export class MessageReader {
  private readonly prefix = new Uint8Array(PREFIX_BYTES);
  private prefixFill = 0;
  private body: Uint8Array | undefined;
  private bodyFill = 0;
  private type: MessageType = MessageType.hello;

  constructor(private readonly onMessage: (type: MessageType, body: Uint8Array) => void) {}

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.body === undefined) {
        const take = Math.min(PREFIX_BYTES - this.prefixFill, chunk.length - at);
        this.prefix.set(chunk.subarray(at, at + take), this.prefixFill);
        this.prefixFill += take;
        at += take;
        if (this.prefixFill < PREFIX_BYTES) return;
        this.prefixFill = 0;
        const length = new DataView(this.prefix.buffer).getUint32(0, true);
        this.type = this.prefix[4] as MessageType;
        if (chunk.length - at >= length) {
          // The whole body is in this read: no copy.
          this.onMessage(this.type, chunk.subarray(at, at + length));
          at += length;
          continue;
        }
        this.body = new Uint8Array(length);
        this.bodyFill = 0;
      }
      const take = Math.min(this.body.length - this.bodyFill, chunk.length - at);
      this.body.set(chunk.subarray(at, at + take), this.bodyFill);
      this.bodyFill += take;
      at += take;
      if (this.bodyFill === this.body.length) {
        const body = this.body;
        this.body = undefined;
        this.onMessage(this.type, body);
      }
    }
  }
}
