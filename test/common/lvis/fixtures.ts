// A small valid LVIS ground truth and helpers to write it (or a damaged copy) to a temp file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { makeWorkDir } from '../../harness/index.js';

export function smallGroundTruth() {
  return {
    info: { description: 'test' },
    licenses: [{ id: 1, name: 'CC BY 4.0' }],
    images: [
      {
        id: 1,
        height: 480,
        width: 640,
        neg_category_ids: [2],
        not_exhaustive_category_ids: [],
        coco_url: 'x/val2017/1.jpg',
      },
      {
        id: 2,
        height: 480,
        width: 640,
        neg_category_ids: [],
        not_exhaustive_category_ids: [1],
        coco_url: 'x/train2017/2.jpg',
      },
    ],
    annotations: [
      {
        id: 1,
        image_id: 1,
        category_id: 1,
        bbox: [10, 10, 20, 20],
        area: 380.5,
        segmentation: [[10, 10, 30, 10, 30, 30]],
      },
      { id: 2, image_id: 2, category_id: 1, bbox: [0, 0, 5, 5], area: 25 },
      { id: 3, image_id: 2, category_id: 3, bbox: [1, 2, 3, 4], area: 12 },
    ],
    categories: [
      { id: 1, name: 'acorn', synset: 'acorn.n.01', frequency: 'r', image_count: 2, instance_count: 2 },
      { id: 2, name: 'aerosol', frequency: 'c', image_count: 0, instance_count: 0 },
      { id: 3, name: 'apple', frequency: 'f', image_count: 1, instance_count: 1 },
    ],
  };
}

/** Writes `text` (or JSON of a value) to a new temp file and returns its path. */
export function writeTemp(name: string, content: unknown): string {
  const file = join(makeWorkDir('lvis'), name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** `bytes` in pieces of `size` bytes, as a stream (to cut values at every possible place). */
export function inPieces(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
  return Readable.from(pieces);
}
