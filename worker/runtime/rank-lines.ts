// Splits a rank's output stream into whole lines and writes each with a prefix (`[rank 3] `), so lines of
// ranks sharing a pod never interleave mid-line. A last line without a newline is written at end(). Pure.
import { StringDecoder } from 'node:string_decoder';

export class PrefixedLines {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(
    private readonly prefix: string,
    private readonly write: (text: string) => void,
  ) {}

  push(chunk: Buffer): void {
    const text = this.pending + this.decoder.write(chunk);
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      this.pending = text;
      return;
    }
    this.pending = text.slice(end + 1);
    const lines = text.slice(0, end).split('\n');
    this.write(lines.map((line) => `${this.prefix}${line}\n`).join(''));
  }

  end(): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    if (rest !== '') this.write(`${this.prefix}${rest}\n`);
  }
}
