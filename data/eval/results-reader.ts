// The streaming results reader: a bbox results file (a JSON array of {image_id, category_id, bbox, score})
// straight into DetectionColumns, without a JS object per detection. The bytes are decoded as latin1, one
// character per byte (every JSON structural character is ASCII, so offsets are byte offsets, and the bytes of
// a UTF-8 character, never ASCII, can only sit inside strings, which are skipped). A hand-written tokenizer
// takes one detection at a time, in any key order, with any whitespace and any extra fields (validated as JSON
// and skipped; of repeated keys the last wins, as JSON.parse does). A detection cut by a chunk boundary is
// taken again from its start once more bytes have come.
//
// Numbers are the very doubles JSON.parse gives: up to 15 significant digits and a decimal exponent within
// +-22, the digits are an exact integer m < 2^53 and 10^|e| an exact double, so m * 10^e or m / 10^-e is one
// correctly rounded IEEE operation (Clinger's fast path); anything else (17-digit shortest round-trip doubles,
// subnormals, overflow) goes through Number() on the number's text, V8's correctly rounded conversion, which
// JSON.parse uses too.
//
// Memory: one chunk of text (4 MiB by default) plus the columns, 48 bytes per detection, grown by doubling.
//
// A byte range of the file (results-ranges.ts: the threads' share) is read by a tokenizer given a
// TokenizerRange: it starts at the detection after a top-level comma, stops at the first top-level comma at or past `stopAt`, and
// without targets (the ground truth is still being read) keeps the raw ids; any detection it cannot keep so,
// and any syntax error, is a RangeProblem, for the whole file to be read again by the sequential reader, whose
// error is then the one reported.
import { LvisFormatError, LvisJsonSyntaxError, lvisFileChunks } from '../../common/index.js';
import {
  boxError,
  boxProblem,
  DETECTION_COLUMN_BYTES,
  isOutsideImage,
  scoreError,
  shapeError,
  unknownCategoryError,
  unknownImageError,
  type DetectionColumns,
  type DetectionPlace,
  type DetectionTargets,
} from './detections.js';
import { divideWide, scaleExact } from './decimal.js';

export interface ResultsReadOptions {
  /** Stops reading between chunks. */
  signal?: AbortSignal;
  /** Bytes per read from disk. @default 4 MiB (the loader's chunk) */
  chunkBytes?: number;
}

/** Deeper nesting inside an extra field is refused (the tokenizer recurses). */
const maxDepth = 512;
/** Thrown when a value runs past the end of the bytes read so far; caught per detection, never escapes. */
class NeedMore extends Error {}
const needMore = new NeedMore('a detection goes on past the bytes read so far');

const Char = {
  quote: 0x22,
  backslash: 0x5c,
  comma: 0x2c,
  colon: 0x3a,
  minus: 0x2d,
  plus: 0x2b,
  dot: 0x2e,
  zero: 0x30,
  nine: 0x39,
  lowerE: 0x65,
  upperE: 0x45,
  openBrace: 0x7b,
  closeBrace: 0x7d,
  openBracket: 0x5b,
  closeBracket: 0x5d,
} as const;

const enum Field {
  other,
  imageId,
  categoryId,
  bbox,
  score,
}

/** What a detection's number field held: a number, or the JSON type found instead. */
type Found = number | 'missing' | 'a string' | 'an object' | 'an array' | 'true' | 'false' | 'null';

function describe(found: Found): string {
  return typeof found === 'number' ? String(found) : found;
}

/** An id field's value, or the error for a missing or non-integer one. */
function checkId(place: DetectionPlace, name: string, found: Found): number {
  if (typeof found !== 'number')
    throw shapeError(place, `.${name}`, `${name} is ${describe(found)}, not an integer`);
  if (!Number.isInteger(found)) throw shapeError(place, `.${name}`, `${name} ${found} is not an integer`);
  return found;
}

/** Columns that grow by doubling; `finish` returns views of the filled part. */
class ColumnBuilder {
  count = 0;
  private capacity = 0;
  imageIndex = new Int32Array(0);
  categoryIndex = new Int32Array(0);
  score = new Float64Array(0);
  boxes = new Float64Array(0);
  readonly outsideImage = { count: 0, first: -1 };

  push(image: number, category: number, score: number, box: Float64Array): void {
    if (this.count === this.capacity) this.grow();
    const i = this.count++;
    this.imageIndex[i] = image;
    this.categoryIndex[i] = category;
    this.score[i] = score;
    const boxes = this.boxes;
    boxes[i * 4] = box[0]!;
    boxes[i * 4 + 1] = box[1]!;
    boxes[i * 4 + 2] = box[2]!;
    boxes[i * 4 + 3] = box[3]!;
  }

  private grow(): void {
    const capacity = Math.max(1 << 16, this.capacity * 2);
    const imageIndex = new Int32Array(capacity);
    const categoryIndex = new Int32Array(capacity);
    const score = new Float64Array(capacity);
    const boxes = new Float64Array(capacity * 4);
    imageIndex.set(this.imageIndex);
    categoryIndex.set(this.categoryIndex);
    score.set(this.score);
    boxes.set(this.boxes);
    Object.assign(this, { imageIndex, categoryIndex, score, boxes, capacity });
  }

  finish(): DetectionColumns {
    const n = this.count;
    return {
      count: n,
      imageIndex: this.imageIndex.subarray(0, n),
      categoryIndex: this.categoryIndex.subarray(0, n),
      score: this.score.subarray(0, n),
      boxes: this.boxes.subarray(0, n * 4),
      outsideImage: this.outsideImage,
    };
  }

  /** Bytes held now (capacity, not count). */
  get bytes(): number {
    return this.capacity * DETECTION_COLUMN_BYTES;
  }
}

type State = 'open' | 'first' | 'after' | 'next' | 'end' | 'stopped';

/** A tokenizer's byte range of the file (see the file comment). */
export interface TokenizerRange {
  /** File offset of the first byte pushed: 0 (the array's start) or a detection's, after a top-level comma. */
  base: number;
  /** Stops before the first top-level comma at or past this file offset; Infinity reads to the end. */
  stopAt: number;
}

/** A range's detection that only the sequential reader can report or keep (see the file comment). */
export class RangeProblem extends Error {
  override name = 'RangeProblem';
}

/** Raw ids a range keeps: integers an Int32Array holds. */
function isRawId(found: Found): found is number {
  return typeof found === 'number' && (found | 0) === found && !Object.is(found, -0);
}

/** The file's bytes start..end as a string, one character per byte. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

/** Whether bytes[at, at + word.length) spell `word` (ASCII). */
function spells(bytes: Uint8Array, at: number, word: string): boolean {
  if (at + word.length > bytes.length) return false;
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word.charCodeAt(i)) return false;
  return true;
}

/** Whether bytes[at, end) are the start of `word` (ASCII). */
function isPrefix(bytes: Uint8Array, at: number, word: string): boolean {
  for (let i = 0; at + i < bytes.length; i++) if (bytes[at + i] !== word.charCodeAt(i)) return false;
  return true;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** The tokenizer; feed it the file's bytes in order, then `finish`. */
export class ResultsTokenizer {
  private text: Uint8Array = new Uint8Array(0);
  private pos = 0;
  /** File offset of text[0]. */
  private base = 0;
  private final = false;
  private state: State = 'open';
  private index = 0;
  /** Bytes waiting until enough have come to retry a detection cut by a chunk boundary. */
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  private retryAt = 0;
  private readonly box = new Float64Array(4);
  /** Whether the last string scanned had an escape. */
  private escaped = false;
  private readonly columns = new ColumnBuilder();

  /** The file offset of the comma where a range stopped (the next range's start), -1 until then. */
  stoppedAt = -1;
  private readonly stopAt: number;

  /**
   * With `targets`, the columns index the ground truth's sorted ids; without (a range read before the ground
   * truth), imageIndex and categoryIndex hold the raw ids and outsideImage is not counted.
   */
  constructor(
    private readonly targets: DetectionTargets | undefined,
    private readonly source: string,
    range: TokenizerRange = { base: 0, stopAt: Infinity },
  ) {
    this.base = range.base;
    this.stopAt = range.stopAt;
    if (range.base > 0) this.state = 'next';
  }

  /** Whether the array's closing bracket has been read. */
  get ended(): boolean {
    return this.state === 'end';
  }

  /** Adds the next piece of the file (kept until used: the caller must not reuse its memory). */
  push(bytes: Uint8Array): void {
    this.pending.push(bytes);
    this.pendingLength += bytes.length;
    if (this.text.length - this.pos + this.pendingLength < this.retryAt) return;
    this.take();
    this.run();
  }

  finish(): DetectionColumns {
    this.take();
    this.final = true;
    this.run();
    return this.columns.finish();
  }

  private take(): void {
    if (this.pending.length === 0) return;
    this.base += this.pos;
    const rest = this.text.subarray(this.pos);
    this.text =
      rest.length === 0 && this.pending.length === 1
        ? this.pending[0]!
        : Buffer.concat([rest, ...this.pending]);
    this.pos = 0;
    this.pending = [];
    this.pendingLength = 0;
  }

  private run(): void {
    this.retryAt = 0;
    for (;;) {
      const mark = this.pos;
      try {
        if (!this.step()) return;
      } catch (error) {
        if (error !== needMore) throw error;
        this.pos = mark;
        // A detection longer than what is here: wait for twice as much before taking it again.
        this.retryAt = 2 * (this.text.length - mark);
        return;
      }
    }
  }

  /** One structural unit (the opening bracket, a detection, a separator); false at the end of the text. */
  private step(): boolean {
    if (this.state === 'stopped') return false;
    this.skipWhitespace();
    if (this.pos >= this.text.length) {
      if (!this.final) return false;
      if (this.state === 'end') return false;
      const inside = this.state === 'open' ? 'before any value' : `inside [${this.index}]`;
      this.syntax(`the file ends ${inside}`);
    }
    const c = this.text[this.pos]!;
    switch (this.state) {
      case 'open':
        if (c !== Char.openBracket) {
          if (c === Char.openBrace) {
            throw new LvisFormatError(
              { file: this.source, jsonPath: '$' },
              'the top level is not an array',
              'A results file is a JSON array of detections; did you pass the ground truth as results?',
            );
          }
          this.unexpected("'[' (a results file is a JSON array)");
        }
        this.pos += 1;
        this.state = 'first';
        return true;
      case 'first':
        if (c === Char.closeBracket) {
          this.pos += 1;
          this.state = 'end';
          return true;
        }
        this.detection();
        this.state = 'after';
        return true;
      case 'next':
        this.detection();
        this.state = 'after';
        return true;
      case 'after':
        if (c === Char.comma && this.base + this.pos >= this.stopAt) {
          this.stoppedAt = this.base + this.pos;
          this.state = 'stopped';
          return false;
        }
        if (c === Char.comma) this.state = 'next';
        else if (c === Char.closeBracket) this.state = 'end';
        else this.unexpected("',' or ']' after a detection");
        this.pos += 1;
        return true;
      case 'end':
        this.unexpected('nothing after the closing bracket');
    }
  }

  private skipWhitespace(): void {
    const text = this.text;
    let p = this.pos;
    for (; p < text.length; p++) {
      const c = text[p]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      // A UTF-8 byte order mark (EF BB BF) may precede the array, as the loader accepts.
      if (this.base + p < 3 && (c === 0xef || c === 0xbb || c === 0xbf)) continue;
      break;
    }
    this.pos = p;
  }

  /** The next character after whitespace, or needMore / the truncation error at the end of the text. */
  private peek(): number {
    this.skipWhitespace();
    if (this.pos < this.text.length) return this.text[this.pos]!;
    if (!this.final) throw needMore;
    return this.syntax(`the file ends inside [${this.index}]`);
  }

  private syntax(problem: string, at = this.pos): never {
    const jsonPath = this.state === 'open' ? '$' : `[${this.index}]`;
    throw new LvisJsonSyntaxError({ file: this.source, jsonPath }, problem, this.base + at);
  }

  private unexpected(wanted: string): never {
    const c = this.text[this.pos]!;
    const found = c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16)}`;
    return this.syntax(`expected ${wanted} but found ${found}`);
  }

  private expect(char: number, wanted: string): void {
    if (this.peek() !== char) this.unexpected(wanted);
    this.pos += 1;
  }

  /** One detection, checked and appended to the columns (only once it is complete). */
  private detection(): void {
    const start = this.pos;
    const index = this.index;
    const first = this.peek();
    if (first !== Char.openBrace) {
      const isValue =
        first === Char.minus ||
        (first >= Char.zero && first <= Char.nine) ||
        this.foundType(first) !== 'a number';
      if (!isValue) this.unexpected("'{' (a detection)");
      throw shapeError(
        this.place(index, start),
        '',
        `a detection is an object, not ${this.foundType(first)}`,
      );
    }
    this.pos += 1;
    let imageId: Found = 'missing';
    let categoryId: Found = 'missing';
    let score: Found = 'missing';
    let bbox: string | undefined = 'missing';
    let c = this.peek();
    if (c !== Char.closeBrace) {
      for (;;) {
        if (c !== Char.quote) this.unexpected('a quoted member name');
        const field = this.key();
        this.expect(Char.colon, "':'");
        if (field === Field.imageId) imageId = this.numberField();
        else if (field === Field.categoryId) categoryId = this.numberField();
        else if (field === Field.score) score = this.numberField();
        else if (field === Field.bbox) bbox = this.boxField();
        else this.skipValue(1);
        c = this.peek();
        if (c === Char.closeBrace) break;
        if (c !== Char.comma) this.unexpected("',' or '}' in a detection");
        this.pos += 1;
        c = this.peek();
      }
    }
    this.pos += 1;
    this.index += 1;
    this.append(index, start, imageId, categoryId, score, bbox);
  }

  /** Where detection `index`, starting at `start` in the current bytes, is (built only for an error). */
  private place(index: number, start: number): DetectionPlace {
    return { source: this.source, index, byteOffset: this.base + start };
  }

  /** The checks of toDetectionColumns, in its order, then the row. */
  private append(
    index: number,
    start: number,
    imageId: Found,
    categoryId: Found,
    score: Found,
    bbox?: string,
  ): void {
    const { targets } = this;
    if (targets === undefined) {
      const box = this.box;
      if (!isRawId(imageId) || !isRawId(categoryId) || typeof score !== 'number' || !Number.isFinite(score)) {
        throw new RangeProblem(`detection ${index} of the range needs the sequential reader`);
      }
      if (bbox !== undefined) throw new RangeProblem(`detection ${index} of the range: ${bbox}`);
      this.columns.push(imageId, categoryId, score, box);
      return;
    }
    const image = typeof imageId === 'number' ? targets.images.indexOf(imageId) : -1;
    const category = typeof categoryId === 'number' ? targets.categories.indexOf(categoryId) : -1;
    const scoreOk = typeof score === 'number' && Number.isFinite(score);
    if (image === -1 || category === -1 || !scoreOk || bbox !== undefined) {
      this.refuse(this.place(index, start), imageId, categoryId, score, bbox);
    }
    const box = this.box;
    if (isOutsideImage(targets, image, box[0]!, box[1]!, box[2]!, box[3]!)) {
      const outside = this.columns.outsideImage;
      if (outside.count++ === 0) outside.first = index;
    }
    this.columns.push(image, category, score, box);
  }

  /** The first problem of a detection, in toDetectionColumns' order. */
  private refuse(
    place: DetectionPlace,
    imageId: Found,
    categoryId: Found,
    score: Found,
    bbox?: string,
  ): never {
    const targets = this.targets!;
    if (targets.images.indexOf(checkId(place, 'image_id', imageId)) === -1) {
      throw unknownImageError(place, imageId);
    }
    if (targets.categories.indexOf(checkId(place, 'category_id', categoryId)) === -1) {
      throw unknownCategoryError(place, categoryId);
    }
    if (typeof score !== 'number')
      throw shapeError(place, '.score', `score is ${describe(score)}, not a number`);
    if (!Number.isFinite(score)) throw scoreError(place, score);
    throw boxError(place, bbox === 'missing' || bbox === undefined ? 'bbox is missing' : bbox);
  }

  private foundType(c: number): Exclude<Found, number | 'missing'> | 'a number' {
    if (c === Char.quote) return 'a string';
    if (c === Char.openBrace) return 'an object';
    if (c === Char.openBracket) return 'an array';
    if (c === 0x74) return 'true';
    if (c === 0x66) return 'false';
    if (c === 0x6e) return 'null';
    return 'a number';
  }

  /** A number, or (skipped) the type of the value found instead. */
  private numberField(): Found {
    const c = this.peek();
    const type = this.foundType(c);
    if (type === 'a number') return this.number();
    this.skipValue(1);
    return type;
  }

  /** Reads the bbox value into this.box; returns boxProblem's wording when it is not 4 finite numbers, w, h >= 0. */
  private boxField(): string | undefined {
    if (this.peek() !== Char.openBracket) {
      this.skipValue(1);
      return boxProblem(undefined);
    }
    this.pos += 1;
    let count = 0;
    let problem: string | undefined;
    let c = this.peek();
    if (c !== Char.closeBracket) {
      for (;;) {
        if (this.foundType(c) === 'a number') {
          const value = this.number();
          if (count < 4) {
            this.box[count] = value;
            if (!Number.isFinite(value)) problem ??= `bbox[${count}] is not a finite number`;
          }
        } else {
          this.skipValue(2);
          if (count < 4) problem ??= `bbox[${count}] is not a finite number`;
        }
        count += 1;
        c = this.peek();
        if (c === Char.closeBracket) break;
        if (c !== Char.comma) this.unexpected("',' or ']' in bbox");
        this.pos += 1;
        c = this.peek();
      }
    }
    this.pos += 1;
    if (count !== 4) return 'bbox is not a list of 4 numbers';
    if (problem !== undefined) return problem;
    if (this.box[2]! < 0 || this.box[3]! < 0) return 'bbox has a negative width or height';
    return undefined;
  }

  /** A member name at this.pos (a quote); which of the four fields it is. */
  private key(): Field {
    const text = this.text;
    const start = this.pos + 1;
    const end = this.stringEnd(start);
    this.pos = end + 1;
    const length = end - start;
    if (!this.escaped) {
      if (length === 8 && spells(text, start, 'image_id')) return Field.imageId;
      if (length === 11 && spells(text, start, 'category_id')) return Field.categoryId;
      if (length === 4 && spells(text, start, 'bbox')) return Field.bbox;
      if (length === 5 && spells(text, start, 'score')) return Field.score;
      return Field.other;
    }
    // An escaped name ("\u0073core" is "score" to JSON.parse); non-ASCII bytes cannot spell a field's name.
    const name = JSON.parse(latin1(text, start - 1, end + 1)) as string;
    if (name === 'image_id') return Field.imageId;
    if (name === 'category_id') return Field.categoryId;
    if (name === 'bbox') return Field.bbox;
    if (name === 'score') return Field.score;
    return Field.other;
  }

  /** The index of the closing quote of the string whose content starts at `start`, escapes validated. */
  private stringEnd(start: number): number {
    const text = this.text;
    const n = text.length;
    let p = start;
    this.escaped = false;
    for (;;) {
      if (p >= n) {
        if (!this.final) throw needMore;
        this.syntax(`the file ends inside a string in [${this.index}]`, n);
      }
      const c = text[p]!;
      if (c === Char.quote) return p;
      if (c === Char.backslash) {
        this.escaped = true;
        if (p + 1 >= n) {
          if (!this.final) throw needMore;
          this.syntax(`the file ends inside a string in [${this.index}]`, n);
        }
        const e = text[p + 1]!;
        if (e === 0x75) {
          // \uXXXX
          if (p + 6 > n) {
            if (!this.final) throw needMore;
            this.syntax(`the file ends inside a string in [${this.index}]`, n);
          }
          for (let h = p + 2; h < p + 6; h++)
            if (!isHexDigit(text[h]!)) this.syntax('a bad \\u escape in a string', p);
          p += 6;
          continue;
        }
        // " \ / b f n r t
        if (
          e !== 0x22 &&
          e !== 0x5c &&
          e !== 0x2f &&
          e !== 0x62 &&
          e !== 0x66 &&
          e !== 0x6e &&
          e !== 0x72 &&
          e !== 0x74
        ) {
          this.syntax('a bad escape in a string', p);
        }
        p += 2;
        continue;
      }
      if (c < 0x20) this.syntax('a control character inside a string (JSON requires it escaped)', p);
      p += 1;
    }
  }

  /** Skips any JSON value (an extra field), validating it. */
  private skipValue(depth: number): void {
    if (depth > maxDepth) this.syntax(`values nested deeper than ${maxDepth} levels`);
    const c = this.peek();
    if (c === Char.quote) {
      this.pos = this.stringEnd(this.pos + 1) + 1;
    } else if (c === Char.openBrace || c === Char.openBracket) {
      const close = c === Char.openBrace ? Char.closeBrace : Char.closeBracket;
      this.pos += 1;
      let next = this.peek();
      if (next === close) {
        this.pos += 1;
        return;
      }
      for (;;) {
        if (close === Char.closeBrace) {
          if (next !== Char.quote) this.unexpected('a quoted member name');
          this.pos = this.stringEnd(this.pos + 1) + 1;
          this.expect(Char.colon, "':'");
        }
        this.skipValue(depth + 1);
        next = this.peek();
        if (next === close) break;
        if (next !== Char.comma) this.unexpected(close === Char.closeBrace ? "',' or '}'" : "',' or ']'");
        this.pos += 1;
        next = this.peek();
      }
      this.pos += 1;
    } else if (c === 0x74) this.literal('true');
    else if (c === 0x66) this.literal('false');
    else if (c === 0x6e) this.literal('null');
    else this.number();
  }

  private literal(word: string): void {
    const text = this.text;
    const p = this.pos;
    if (p + word.length > text.length && isPrefix(text, p, word)) {
      if (!this.final) throw needMore;
      this.syntax(`the file ends inside [${this.index}]`, text.length);
    }
    if (!spells(text, p, word)) this.unexpected('a JSON value');
    this.pos = p + word.length;
  }

  /** A JSON number at this.pos, exactly as JSON.parse reads it (see decimal.ts). */
  private number(): number {
    const text = this.text;
    const n = text.length;
    const start = this.pos;
    let p = start;
    let c = p < n ? text[p]! : -1;
    const negative = c === Char.minus;
    if (negative) c = ++p < n ? text[p]! : -1;
    // Significant digits: the first 15 in `head`, up to 4 more in `tail`; more than 19 go to Number().
    let head = 0;
    let tail = 0;
    let digits = 0;
    let exponent = 0;
    // One loop per kind of digit (into head, into tail, beyond), each with a single test per digit.
    if (c === Char.zero) c = ++p < n ? text[p]! : -1;
    else if (c > Char.zero && c <= Char.nine) {
      do {
        head = head * 10 + (c - Char.zero);
        digits += 1;
        c = ++p < n ? text[p]! : -1;
      } while (c >= Char.zero && c <= Char.nine && digits < 15);
      while (c >= Char.zero && c <= Char.nine && digits < 19) {
        tail = tail * 10 + (c - Char.zero);
        digits += 1;
        c = ++p < n ? text[p]! : -1;
      }
      while (c >= Char.zero && c <= Char.nine) {
        exponent += 1;
        digits += 1;
        c = ++p < n ? text[p]! : -1;
      }
    } else return this.numberEnd(p, 'a digit');
    if (c === Char.dot) {
      c = ++p < n ? text[p]! : -1;
      if (!(c >= Char.zero && c <= Char.nine)) return this.numberEnd(p, 'a digit after the decimal point');
      if (digits === 0) {
        // Leading zeros: not significant.
        while (c === Char.zero) {
          exponent -= 1;
          c = ++p < n ? text[p]! : -1;
        }
      }
      while (c >= Char.zero && c <= Char.nine && digits < 15) {
        head = head * 10 + (c - Char.zero);
        exponent -= 1;
        digits += 1;
        c = ++p < n ? text[p]! : -1;
      }
      while (c >= Char.zero && c <= Char.nine && digits < 19) {
        tail = tail * 10 + (c - Char.zero);
        exponent -= 1;
        digits += 1;
        c = ++p < n ? text[p]! : -1;
      }
      while (c >= Char.zero && c <= Char.nine) {
        digits += 1;
        c = ++p < n ? text[p]! : -1;
      }
    }
    if (c === Char.lowerE || c === Char.upperE) {
      c = ++p < n ? text[p]! : -1;
      let sign = 1;
      if (c === Char.minus || c === Char.plus) {
        sign = c === Char.minus ? -1 : 1;
        c = ++p < n ? text[p]! : -1;
      }
      if (!(c >= Char.zero && c <= Char.nine)) return this.numberEnd(p, 'a digit in the exponent');
      let written = 0;
      do {
        if (written < 1e6) written = written * 10 + (c - Char.zero);
        c = ++p < n ? text[p]! : -1;
      } while (c >= Char.zero && c <= Char.nine);
      exponent += sign * written;
    }
    // A number that reaches the end of the text may go on in the next chunk.
    if (p >= n && !this.final) throw needMore;
    this.pos = p;
    let value = Number.NaN;
    if (digits <= 15) value = scaleExact(head, exponent);
    else if (digits <= 19) value = divideWide(head, digits - 15, tail, -exponent);
    if (value !== value) return Number(latin1(text, start, p)); // NaN: not decided by a fast path
    return negative ? -value : value;
  }

  /** A number cut short: more text may complete it, or it is malformed. */
  private numberEnd(p: number, wanted: string): never {
    if (p >= this.text.length && !this.final) throw needMore;
    this.pos = p;
    if (p >= this.text.length) this.syntax(`the file ends inside [${this.index}]`);
    return this.unexpected(wanted);
  }
}

/** Reads a results file into columns; see the file comment. */
export async function readResultsColumns(
  chunks: AsyncIterable<Uint8Array>,
  targets: DetectionTargets,
  source: string,
  signal?: AbortSignal,
): Promise<DetectionColumns> {
  const tokenizer = new ResultsTokenizer(targets, source);
  for await (const chunk of chunks) {
    signal?.throwIfAborted();
    tokenizer.push(chunk);
  }
  return tokenizer.finish();
}

/** Reads the results file `file` into columns (lvisFileChunks: a missing file is an LvisReadError). */
export async function loadResultsColumns(
  file: string,
  targets: DetectionTargets,
  options: ResultsReadOptions = {},
): Promise<DetectionColumns> {
  return readResultsColumns(lvisFileChunks(file, options), targets, file, options.signal);
}
