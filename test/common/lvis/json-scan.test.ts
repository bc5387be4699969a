import { expect } from 'chai';
import { LvisJsonSyntaxError, scanJson } from '../../../common/internal.js';
import { inPieces } from './fixtures.js';

type Event = [string, string | null, number | null, unknown];

async function scan(text: string, pieceSize: number): Promise<Event[]> {
  const events: Event[] = [];
  await scanJson(inPieces(Buffer.from(text), pieceSize), 'f.json', {
    arrayStart: (key) => events.push(['start', key, null, null]),
    member: (key, value) => events.push(['member', key, null, value]),
    element: (key, index, value) => events.push(['element', key, index, value]),
  });
  return events;
}

const document = `\uFEFF {"info": {"a": [1, {"b": "]}\\"{"}]}, "images": [ {"id": 1, "s": "é,]"}, 2 ,"x"],
  "empty": [], "n": -1.5e3, "t": true}`;

describe('common/lvis/json-scan', function () {
  it('reports members and array elements exactly as JSON.parse sees them, whatever the chunk size', async function () {
    const parsed = JSON.parse(document.slice(1)) as Record<string, unknown>;
    const expected: Event[] = [
      ['member', 'info', null, parsed.info],
      ['start', 'images', null, null],
      ['element', 'images', 0, { id: 1, s: 'é,]' }],
      ['element', 'images', 1, 2],
      ['element', 'images', 2, 'x'],
      ['start', 'empty', null, null],
      ['member', 'n', null, -1500],
      ['member', 't', null, true],
    ];
    for (const size of [1, 2, 3, 7, 64, 1 << 20]) {
      expect(await scan(document, size), `pieces of ${size} bytes`).to.deep.equal(expected);
    }
  });

  it('reports the elements of a top-level array with a null key', async function () {
    expect(await scan('[{"a":1}, [2], 3]', 2)).to.deep.equal([
      ['start', null, null, null],
      ['element', null, 0, { a: 1 }],
      ['element', null, 1, [2]],
      ['element', null, 2, 3],
    ]);
  });

  it('names the element where a truncated file ends', async function () {
    const error = await scan('{"images": [{"id": 1}, {"id": 2, "neg', 5).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(LvisJsonSyntaxError);
    expect((error as LvisJsonSyntaxError).jsonPath).to.equal('images[1]');
    expect((error as LvisJsonSyntaxError).message).to.match(/ends inside images\[1\]/);
  });

  it('names the element that is not valid JSON, with the parser error as cause', async function () {
    const error = (await scan('{"annotations": [{"id": 1}, {"id": 2,}]}', 4).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error).to.be.instanceOf(LvisJsonSyntaxError);
    expect((error as LvisJsonSyntaxError).jsonPath).to.equal('annotations[1]');
    expect((error as LvisJsonSyntaxError).byteOffset).to.equal(28);
    expect(error.cause).to.be.instanceOf(SyntaxError);
  });

  it('refuses text after the top-level value and a missing separator', async function () {
    const trailing = (await scan('{"a": 1} x', 3).catch((e: unknown) => e)) as Error;
    expect(trailing.message).to.match(/expected nothing after the top-level value/);
    const missing = (await scan('{"a": [1 2]}', 3).catch((e: unknown) => e)) as Error;
    expect(missing).to.be.instanceOf(LvisJsonSyntaxError);
    expect((missing as LvisJsonSyntaxError).jsonPath).to.equal('a[1]');
    expect(missing.message).to.match(/expected ',' or '\]' between array elements but found '2'/);
  });
});
