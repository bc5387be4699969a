// A streaming reader for JSON files too large for one string (LVIS v1 train is about 1.1 GB; V8 strings stop
// at 512 MiB). It cuts the byte stream into the top level's members and, for members that are arrays, into
// their elements, and JSON.parses each piece alone, so at any moment it holds one chunk of text and one small
// parsed value; the caller validates and keeps (or drops) each value before the next is parsed.
// Scanning works on UTF-8 bytes: every structural character is ASCII, and bytes of multi-byte characters are
// never ASCII, so they cannot be mistaken for quotes or brackets.
import { LvisJsonSyntaxError } from './errors.js';

/** What the scanner reports; `key` is the top-level member (null when the top level is an array). */
export interface JsonScanVisitor {
  /** A top-level member that is not an array (`info`), or a scalar top level. */
  member?(key: string, value: unknown): void;
  /** One element of a top-level array member, in order. */
  element(key: string | null, index: number, value: unknown): void;
  /** A top-level array member starts; lets a visitor reset its state for a repeated key. */
  arrayStart?(key: string | null): void;
}

/** The structural bytes of JSON (all ASCII). */
const Byte = {
  quote: 0x22,
  backslash: 0x5c,
  comma: 0x2c,
  colon: 0x3a,
  openBrace: 0x7b,
  closeBrace: 0x7d,
  openBracket: 0x5b,
  closeBracket: 0x5d,
} as const;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Where the scanner is between values. */
type Expect = 'top' | 'key' | 'colon' | 'memberValue' | 'afterMember' | 'element' | 'afterElement' | 'end';

/** Scans one JSON document arriving as byte chunks and reports its top-level pieces to `visitor`. */
export async function scanJson(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
  visitor: JsonScanVisitor,
  signal?: AbortSignal,
): Promise<void> {
  const scanner = new JsonScanner(file, visitor);
  for await (const chunk of chunks) {
    signal?.throwIfAborted();
    scanner.push(chunk);
  }
  scanner.finish();
}

class JsonScanner {
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes of the file before buffer[0]. */
  private consumed = 0;
  private pos = 0;
  private expect: Expect = 'top';
  private topIsArray = false;
  private key: string | null = null;
  private index = 0;
  /** Value being cut: its start in buffer, nesting depth and string state, kept across chunks. */
  private valueStart = -1;
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(
    private readonly file: string,
    private readonly visitor: JsonScanVisitor,
  ) {}

  push(chunk: Uint8Array): void {
    const keepFrom = this.valueStart >= 0 ? this.valueStart : this.pos;
    const rest = this.buffer.subarray(keepFrom);
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength); // a view, not a copy
    this.buffer = rest.length === 0 ? bytes : Buffer.concat([rest, bytes]);
    this.consumed += keepFrom;
    this.pos -= keepFrom;
    if (this.valueStart >= 0) this.valueStart = 0;
    this.run(false);
  }

  finish(): void {
    this.run(true);
    if (this.expect !== 'end') {
      const inside = this.expect === 'top' ? 'before any value' : `inside ${this.where()}`;
      this.fail(`the file ends ${inside}`, this.consumed + this.buffer.length);
    }
  }

  private where(): string {
    if (this.key === null) return this.topIsArray ? `[${this.index}]` : '$';
    return this.expect === 'element' || this.expect === 'afterElement'
      ? `${this.key}[${this.index}]`
      : this.key;
  }

  private fail(problem: string, byteOffset: number, cause?: unknown): never {
    throw new LvisJsonSyntaxError({ file: this.file, jsonPath: this.where() }, problem, byteOffset, {
      cause,
    });
  }

  private unexpected(byte: number, wanted: string): never {
    this.fail(`expected ${wanted} but found '${String.fromCharCode(byte)}'`, this.consumed + this.pos);
  }

  private run(atEnd: boolean): void {
    const buffer = this.buffer;
    while (this.pos < buffer.length || (atEnd && this.valueStart >= 0)) {
      if (this.valueStart >= 0) {
        if (!this.cutValue(atEnd)) return;
        continue;
      }
      const byte = buffer[this.pos]!;
      // A UTF-8 byte order mark (EF BB BF) may precede the top-level value; chunks can split it.
      const inByteOrderMark =
        this.consumed + this.pos < 3 && (byte === 0xef || byte === 0xbb || byte === 0xbf);
      if (isWhitespace(byte) || inByteOrderMark) {
        this.pos += 1;
        continue;
      }
      this.step(byte);
    }
  }

  /** One structural byte outside any value being cut. */
  private step(byte: number): void {
    switch (this.expect) {
      case 'top':
        if (byte === Byte.openBrace) this.expect = 'key';
        else if (byte === Byte.openBracket) {
          this.topIsArray = true;
          this.visitor.arrayStart?.(null);
          this.expect = 'element';
        } else this.unexpected(byte, "'{' or '[' (an LVIS file is a JSON object, a results file an array)");
        this.pos += 1;
        return;
      case 'key':
        if (byte === Byte.closeBrace && this.key === null) {
          this.expect = 'end';
          this.pos += 1;
        } else if (byte === Byte.quote) this.beginValue();
        else this.unexpected(byte, 'a quoted member name');
        return;
      case 'colon':
        if (byte !== Byte.colon) this.unexpected(byte, "':'");
        this.expect = 'memberValue';
        this.pos += 1;
        return;
      case 'memberValue':
        if (byte === Byte.openBracket) {
          this.visitor.arrayStart?.(this.key);
          this.index = 0;
          this.expect = 'element';
          this.pos += 1;
        } else this.beginValue();
        return;
      case 'afterMember':
        if (byte === Byte.comma) this.expect = 'key';
        else if (byte === Byte.closeBrace) this.expect = 'end';
        else this.unexpected(byte, "',' or '}' after a member");
        this.pos += 1;
        return;
      case 'element':
        if (byte === Byte.closeBracket && this.index === 0) this.endArray();
        else this.beginValue();
        return;
      case 'afterElement':
        if (byte === Byte.comma) this.expect = 'element';
        else if (byte === Byte.closeBracket) this.endArray();
        else this.unexpected(byte, "',' or ']' between array elements");
        if (byte === Byte.comma) this.pos += 1;
        return;
      case 'end':
        this.unexpected(byte, 'nothing after the top-level value');
    }
  }

  private endArray(): void {
    this.pos += 1;
    this.expect = this.topIsArray && this.key === null ? 'end' : 'afterMember';
  }

  private beginValue(): void {
    this.valueStart = this.pos;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }

  /** Advances through the value being cut; true when it ended (and was delivered), false when more bytes are needed. */
  private cutValue(atEnd: boolean): boolean {
    const buffer = this.buffer;
    let pos = this.pos;
    let { depth, inString, escaped } = this;
    const first = buffer[this.valueStart]!;
    const scalar = first !== Byte.openBrace && first !== Byte.openBracket && first !== Byte.quote;
    let end = -1;
    for (; pos < buffer.length; pos++) {
      const byte = buffer[pos]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === Byte.backslash) escaped = true;
        else if (byte === Byte.quote) {
          inString = false;
          if (depth === 0) {
            end = pos + 1;
            break;
          }
        }
      } else if (scalar) {
        if (
          byte === Byte.comma ||
          byte === Byte.closeBrace ||
          byte === Byte.closeBracket ||
          isWhitespace(byte)
        ) {
          end = pos;
          break;
        }
      } else if (byte === Byte.quote) inString = true;
      else if (byte === Byte.openBrace || byte === Byte.openBracket) depth += 1;
      else if (byte === Byte.closeBrace || byte === Byte.closeBracket) {
        depth -= 1;
        if (depth === 0) {
          end = pos + 1;
          break;
        }
      }
    }
    if (end < 0 && scalar && atEnd && pos > this.valueStart) end = pos;
    if (end < 0) {
      this.pos = pos;
      this.depth = depth;
      this.inString = inString;
      this.escaped = escaped;
      if (atEnd) this.fail(`the file ends inside ${this.where()}`, this.consumed + pos);
      return false;
    }
    const start = this.valueStart;
    this.valueStart = -1;
    this.pos = end;
    this.deliver(start, end);
    return true;
  }

  private deliver(start: number, end: number): void {
    let value: unknown;
    try {
      value = JSON.parse(this.buffer.toString('utf8', start, end));
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.fail(`not valid JSON (${detail})`, this.consumed + start, error);
    }
    switch (this.expect) {
      case 'key':
        this.key = value as string;
        this.expect = 'colon';
        return;
      case 'memberValue':
        this.visitor.member?.(this.key!, value);
        this.expect = 'afterMember';
        return;
      case 'element':
        this.visitor.element(this.topIsArray ? null : this.key, this.index, value);
        this.index += 1;
        this.expect = 'afterElement';
        return;
      default:
        this.fail('unexpected value', this.consumed + start);
    }
  }
}
