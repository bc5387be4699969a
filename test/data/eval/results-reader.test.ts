// The streaming results reader against JSON.parse: the same doubles for awkward numbers, any whitespace, key
// order and extra fields, any chunking; and the same checks and errors as the in-memory path.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type LvisFormatError,
  LvisJsonSyntaxError,
  LvisReadError,
  LvisReferenceError,
  parseLvisGroundTruth,
} from '../../../common/internal.js';
import {
  detectionTargets,
  divideWide,
  loadResultsColumns,
  ResultsTokenizer,
  scaleExact,
  toDetectionColumns,
  type DetectionColumns,
  type DetectionInput,
} from '../../../data/internal.js';
import { makeWorkDir } from '../../harness/index.js';
import { annotation, detection, image, microCategories, seededRandom } from './builders.js';

const gt = parseLvisGroundTruth({
  images: [image(1), image(2), image(7)],
  annotations: [annotation(1, 1, 1, [10, 10, 20, 20])],
  categories: microCategories(),
});
const targets = detectionTargets(gt);

/** Reads `text` fed in chunks of `chunk` bytes. */
function read(text: string | Buffer, chunk = 1 << 20, source = 'results.json'): DetectionColumns {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const tokenizer = new ResultsTokenizer(targets, source);
  for (let at = 0; at < bytes.length; at += chunk) tokenizer.push(bytes.subarray(at, at + chunk));
  return tokenizer.finish();
}

/** The columns JSON.parse + toDetectionColumns give for the same text. */
function expected(text: string): DetectionColumns {
  return toDetectionColumns(JSON.parse(text) as DetectionInput[], targets, 'results.json');
}

function expectSameColumns(actual: DetectionColumns, wanted: DetectionColumns, what: string): void {
  expect(actual.count, what).to.equal(wanted.count);
  for (const key of ['imageIndex', 'categoryIndex', 'score', 'boxes'] as const) {
    const a = actual[key];
    const b = wanted[key];
    for (let i = 0; i < b.length; i++) {
      if (!Object.is(a[i], b[i])) expect.fail(`${what}: ${key}[${i}] is ${a[i]}, JSON.parse gives ${b[i]}`);
    }
  }
  expect(actual.outsideImage, what).to.deep.equal(wanted.outsideImage);
}

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the reader to refuse the text');
}

const awkwardNumbers = [
  '0',
  '-0',
  '-0.0',
  '0e0',
  '0.5',
  '1E2',
  '1e+2',
  '2.5e-3',
  '1e-320', // subnormal
  '4.9e-324', // the smallest subnormal
  '2.2250738585072014e-308', // the smallest normal
  '1.7976931348623157e308', // the largest double
  '9007199254740993', // 2^53 + 1: a tie, to even
  '9007199254740992.5',
  '0.30000000000000004',
  '0.1000000000000000055511151231257827', // 37 digits
  '123456789012345678901234567890',
  '0.000000000000000000000000000001234567890123456789',
  '1.00000000000000011102230246251565404236316680908203125', // exactly halfway: ties to even
  '1.00000000000000011102230246251565404236316680908203126', // just above halfway
  '437.12345678901234',
  '639.9999999999999',
  '1e22',
  '1e23',
  '123456789012345e-22',
  '1234567890123456e-22',
  '12345678901234567890e-30',
];

describe('data/eval streaming results reader', function () {
  it('reads awkward numbers as exactly the doubles JSON.parse gives', function () {
    const text = `[${awkwardNumbers
      .map(
        (n) => `{"image_id":1,"category_id":2,"bbox":[${n},0,${n.startsWith('-') ? '0' : n},1],"score":${n}}`,
      )
      .join(',')}]`;
    expectSameColumns(read(text), expected(text), 'awkward numbers');
  });

  it('reads random shortest round-trip doubles and long decimals exactly (fast paths and fallback)', function () {
    const random = seededRandom(14);
    const numbers: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      numbers.push(
        String(random() * 640),
        String(random()),
        String(random() * 1e-5),
        String(random() * 2 ** 60),
      );
      let digits = String(1 + Math.floor(random() * 9));
      const length = 14 + Math.floor(random() * 8);
      while (digits.length < length) digits += String(Math.floor(random() * 10));
      const point = Math.floor(random() * length);
      numbers.push(`${digits.slice(0, point + 1)}.${digits.slice(point + 1) || '0'}`);
    }
    const text = `[${numbers.map((n) => `{"image_id":2,"category_id":1,"bbox":[0,0,1,1],"score":${n}}`).join(',')}]`;
    expectSameColumns(read(text), expected(text), 'random numbers');
  });

  it('reads random decimals of every layout exactly: digit counts, leading zeros, exponents, signs, midpoints', function () {
    const random = seededRandom(15);
    const digitsOf = (count: number, first = '123456789') => {
      let text = count > 0 ? first[Math.floor(random() * first.length)]! : '';
      while (text.length < count) text += String(Math.floor(random() * 10));
      return text;
    };
    const numbers: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const sign = random() < 0.2 ? '-' : '';
      const integer = random() < 0.4 ? '0' : digitsOf(1 + Math.floor(random() * 22));
      const zeros = integer === '0' ? '0'.repeat(Math.floor(random() * 25)) : '';
      const fraction =
        random() < 0.15 ? '' : `.${zeros}${digitsOf(1 + Math.floor(random() * 22), '0123456789')}`;
      const exponent =
        random() < 0.7
          ? ''
          : `${random() < 0.5 ? 'e' : 'E'}${random() < 0.5 ? '-' : ['', '+'][Math.floor(random() * 2)]}${Math.floor(random() * 285)}`;
      numbers.push(`${sign}${integer}${fraction}${exponent}`);
      // Exactly halfway between two doubles of [2^48, 2^53) (ulp 2^-4 .. 1), and a last digit either side.
      const d = 2 ** 48 * (1 + random() * 31);
      const ulp = 2 ** (Math.floor(Math.log2(d)) - 52);
      const scaled = BigInt(d.toFixed(5).replace('.', '')) + BigInt((ulp / 2) * 1e5);
      for (const nudge of [-1n, 0n, 1n]) {
        const digits = String(scaled + nudge);
        numbers.push(`${digits.slice(0, -5)}.${digits.slice(-5)}`);
      }
    }
    numbers.push('0.000000000000000000000000000000000000000000000000000000000000000000000001');
    numbers.push(
      '-0.0000000000',
      '0e-400',
      '-0e+400',
      '1e-400',
      '2.4703282292062328e-324',
      '2.4703282292062327e-324',
    );
    const text = `[${numbers.map((n) => `{"image_id":2,"category_id":1,"bbox":[0,0,1,1],"score":${n}}`).join(',')}]`;
    const parsed = JSON.parse(text) as DetectionInput[];
    const columns = read(text);
    for (let i = 0; i < numbers.length; i++) {
      if (!Object.is(columns.score[i], parsed[i]!.score)) {
        expect.fail(`${numbers[i]}: the reader gives ${columns.score[i]}, JSON.parse ${parsed[i]!.score}`);
      }
    }
  });

  it('decides the wide fast path only when it is sure, and exactly then', function () {
    const random = seededRandom(3);
    let decided = 0;
    for (let i = 0; i < 50_000; i++) {
      const head = Math.floor(random() * 9e14) + 1e14;
      const tailDigits = 1 + Math.floor(random() * 4);
      const tail = Math.floor(random() * 10 ** tailDigits);
      const k = 1 + Math.floor(random() * 22);
      const digits = `${head}${String(tail).padStart(tailDigits, '0')}`;
      const text =
        k < digits.length
          ? `${digits.slice(0, digits.length - k)}.${digits.slice(digits.length - k)}`
          : `0.${digits.padStart(k, '0')}`;
      const value = divideWide(head, tailDigits, tail, k);
      if (Number.isNaN(value)) continue;
      decided += 1;
      if (!Object.is(value, Number(text))) expect.fail(`${text}: ${value}, Number() gives ${Number(text)}`);
    }
    expect(decided).to.be.greaterThan(49_000);
    // 2^53 + 1 is a tie between two doubles: left to Number(), which rounds it to even.
    expect(Number.isNaN(divideWide(900719925474099, 2, 30, 1))).to.equal(true);
    expect(scaleExact(5, -1)).to.equal(0.5);
    expect(Number.isNaN(scaleExact(1, -23))).to.equal(true);
  });

  it('takes any key order, whitespace, repeated keys (the last wins) and extra fields', function () {
    const text = ` \t\r\n[ { "score" : 0.25 , "extra" : { "nested" : [ 1 , -2.5e3 , true , false , null , "s" ] } ,
      "bbox" : [ 1 , 2 , 3 , 4 ] , "category_id" : 3 , "image_id" : 7 , "note" : "caf\\u00e9 \\"quoted\\" \\\\ \\/ \\b\\f\\n\\r\\t",
      "name\\u0073" : "é 日本", "image_id": 2 } ,
      {"\\u0073core":0.5,"image_id":1,"category_id":1,"bbox":[0,0,0,0],"segmentation":[[1,2,3]]} ]  \n`;
    const columns = read(text);
    expectSameColumns(columns, expected(text), 'extra fields');
    expect([...columns.imageIndex]).to.deep.equal([1, 0]); // image 2 (the repeated key's last value), image 1
    expect(columns.score[1]).to.equal(0.5); // "\u0073core" is "score"
  });

  it('gives the same columns whatever the chunk size, down to one byte', function () {
    const text = JSON.stringify([
      {
        image_id: 1,
        category_id: 2,
        bbox: [1.5, 2.25, 30.125, 40],
        score: 0.12345678901234568,
        note: 'x'.repeat(70),
      },
      {
        image_id: 7,
        category_id: 4,
        bbox: [-0.5, 0, 1e-7, 641],
        score: 1e-320,
        extra: { a: [1, { b: 'é' }] },
      },
      { image_id: 2, category_id: 1, bbox: [0, 0, 1, 1], score: -0 },
    ]);
    const wanted = expected(text);
    for (const chunk of [1, 2, 3, 5, 7, 16, 64, 1000])
      expectSameColumns(read(text, chunk), wanted, `chunks of ${chunk}`);
  });

  it('reads an empty array and a byte order mark', function () {
    expect(read('[]').count).to.equal(0);
    expect(read(' [ ] ').count).to.equal(0);
    const bom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('[{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":1}]'),
    ]);
    expect(read(bom, 1).count).to.equal(1);
  });

  it('counts boxes reaching past their image, with a pixel of tolerance', function () {
    // Images are 640 x 480.
    const boxes = [
      [0, 0, 640, 480], // the whole image: inside
      [-1, -1, 641, 481], // within the tolerance
      [-1.5, 0, 10, 10], // past the left edge
      [600, 0, 41.5, 10], // past the right edge
      [0, 470, 10, 11.5], // past the bottom
    ];
    const text = JSON.stringify(boxes.map((bbox) => detection(1, 1, bbox, 0.5)));
    expect(read(text).outsideImage).to.deep.equal({ count: 3, first: 2 });
    expect(expected(text).outsideImage).to.deep.equal({ count: 3, first: 2 });
  });

  describe('refuses', function () {
    const good = '{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":0.5}';
    const withThird = (third: string) => `[${good},${good},${third}]`;
    const refusal = (third: string) => errorOf(() => read(withThird(third))) as LvisFormatError;

    it('detections on images or categories not in the ground truth, naming index, field and byte', function () {
      const image = refusal('{"image_id":3,"category_id":1,"bbox":[0,0,1,1],"score":0.5}');
      expect(image).to.be.instanceOf(LvisReferenceError);
      expect(image.message).to.equal(
        `results.json: [2].image_id: image 3 is not in the ground truth (the detection starts at byte ${2 * good.length + 3}). ` +
          'Evaluate against the annotation file the detections were made for (v0.5 and v1 val differ).',
      );
      const category = refusal('{"image_id":1,"category_id":0,"bbox":[0,0,1,1],"score":0.5}');
      expect(category).to.be.instanceOf(LvisReferenceError);
      expect(category.jsonPath).to.equal('[2].category_id');
      expect(category.hint).to.contain('not class indices');
    });

    it('ids that are missing, not numbers or not integers', function () {
      expect(refusal('{"category_id":1,"bbox":[0,0,1,1],"score":0.5}').message).to.contain(
        '[2].image_id: image_id is missing, not an integer',
      );
      expect(refusal('{"image_id":"1","category_id":1,"bbox":[0,0,1,1],"score":0.5}').problem).to.contain(
        'image_id is a string, not an integer',
      );
      expect(refusal('{"image_id":1,"category_id":1.5,"bbox":[0,0,1,1],"score":0.5}').problem).to.contain(
        'category_id 1.5 is not an integer',
      );
    });

    it('scores that are not finite numbers (1e400 overflows to Infinity)', function () {
      const overflow = refusal('{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":1e400}');
      expect(overflow.jsonPath).to.equal('[2].score');
      expect(overflow.problem).to.contain('score Infinity is not a finite number');
      expect(refusal('{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":null}').problem).to.contain(
        'score is null, not a number',
      );
      expect(refusal('{"image_id":1,"category_id":1,"bbox":[0,0,1,1]}').jsonPath).to.equal('[2].score');
    });

    it('malformed boxes with the in-memory path wording', function () {
      const cases: Array<[string, string]> = [
        ['[0,0,1]', 'bbox is not a list of 4 numbers'],
        ['[0,0,1,1,1]', 'bbox is not a list of 4 numbers'],
        ['"0,0,1,1"', 'bbox is not a list of 4 numbers'],
        ['[0,null,1,1]', 'bbox[1] is not a finite number'],
        ['[0,0,"1",1]', 'bbox[2] is not a finite number'],
        ['[0,0,1e999,1]', 'bbox[2] is not a finite number'],
        ['[0,0,1,-1]', 'bbox has a negative width or height'],
      ];
      for (const [bbox, problem] of cases) {
        const error = refusal(`{"image_id":1,"category_id":1,"bbox":${bbox},"score":0.5}`);
        expect(error.jsonPath, bbox).to.equal('[2].bbox');
        expect(error.problem, bbox).to.contain(problem);
      }
      expect(refusal('{"image_id":1,"category_id":1,"score":0.5}').problem).to.contain('bbox is missing');
    });

    it('a detection that is not an object, and a top level that is not an array', function () {
      expect(refusal('[1,2]').problem).to.contain('a detection is an object, not an array');
      const object = errorOf(() => read('{"images": []}')) as LvisFormatError;
      expect(object.jsonPath).to.equal('$');
      expect(object.problem).to.equal('the top level is not an array');
    });

    it('truncated files at every byte, as syntax errors with the offset', function () {
      const text = `[${good},{"image_id":2,"category_id":3,"bbox":[1.5,2,3e1,4],"score":0.25,"x":"a\\"b"}]`;
      for (let cut = 0; cut < text.length; cut++) {
        const error = errorOf(() => read(text.slice(0, cut), 7));
        if (!(error instanceof LvisJsonSyntaxError)) expect.fail(`cut at ${cut}: ${error.message}`);
        expect(error.problem, `cut at ${cut}`).to.contain('the file ends');
        expect(error.byteOffset, `cut at ${cut}`).to.equal(cut);
      }
    });

    it('trailing garbage and broken syntax anywhere, naming the byte', function () {
      const cases: Array<[string, string]> = [
        [`[${good}] x`, 'nothing after the closing bracket'],
        [`[${good}][]`, 'nothing after the closing bracket'],
        [`[${good},]`, "'{'"],
        [`[${good} ${good}]`, "',' or ']' after a detection"],
        ['[{"image_id":1 "category_id":1}]', "',' or '}' in a detection"],
        ['[{"image_id":01,"category_id":1,"bbox":[0,0,1,1],"score":1}]', "',' or '}'"],
        ['[{"image_id":1.,"category_id":1,"bbox":[0,0,1,1],"score":1}]', 'a digit after the decimal point'],
        ['[{"image_id":1,"x":tru,"category_id":1,"bbox":[0,0,1,1],"score":1}]', 'a JSON value'],
        ['[{"image_id":1,"x":"\\q","category_id":1,"bbox":[0,0,1,1],"score":1}]', 'a bad escape'],
        ['[{"image_id":1,"x":"\\u12g4","category_id":1,"bbox":[0,0,1,1],"score":1}]', 'a bad \\u escape'],
        ['[{"image_id":1,"x":"a\tb","category_id":1,"bbox":[0,0,1,1],"score":1}]', 'a control character'],
        ['[{"image_id":1,"x":[1,,2],"category_id":1,"bbox":[0,0,1,1],"score":1}]', 'a digit'],
        ['[{"image_id":1,"x":{"a" 1}]', "':'"],
      ];
      for (const [text, problem] of cases) {
        const error = errorOf(() => read(text));
        expect(error, text).to.be.instanceOf(LvisJsonSyntaxError);
        expect(error.message, text).to.contain(problem);
        expect(() => {
          JSON.parse(text);
        }, `JSON.parse refuses ${text} too`).to.throw(SyntaxError);
      }
      const garbage = errorOf(() => read(`[${good}] x`)) as LvisJsonSyntaxError;
      expect(garbage.byteOffset).to.equal(good.length + 3);
    });
  });

  it('reads a file in chunks, and names a missing file', async function () {
    const dir = makeWorkDir('results-reader');
    const file = join(dir, 'results.json');
    const detections = Array.from({ length: 500 }, (_, i) =>
      detection(1 + (i % 2), 1 + (i % 4), [i, i / 3, 7.25, 1e-3 * i], i / 7),
    );
    writeFileSync(file, JSON.stringify(detections, null, 2));
    const columns = await loadResultsColumns(file, targets, { chunkBytes: 333 });
    expectSameColumns(columns, toDetectionColumns(detections, targets, file), 'file');
    const missing = await loadResultsColumns(join(dir, 'nope.json'), targets).catch(
      (error: unknown) => error,
    );
    expect(missing).to.be.instanceOf(LvisReadError);
  });
});
