// Finding and checking the JPEG of an LVIS image in a local images directory. Real LVIS v1 names images only
// by coco_url (`http://images.cocodataset.org/train2017/000000391895.jpg`), v0.5 by file_name; the usual
// layouts are `<images>/train2017/<file>` (detectron2) or everything in one folder, so both are tried.
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import type { LvisImage } from '../../common/index.js';
import { SourceImageError } from './errors.js';

/** Paths to try for `image`, most specific first. */
export function candidateImagePaths(image: LvisImage, imagesDir: string): string[] {
  const names: string[] = [];
  if (image.coco_url !== undefined) {
    // Not URL parsing: coco_url may be a bare relative path, and only its last two segments matter.
    const segments = image.coco_url.split(/[?#]/)[0]!.split('/').filter(Boolean);
    if (segments.length >= 2) names.push(segments.slice(-2).join('/'));
    if (segments.length >= 1) names.push(segments.at(-1)!);
  }
  if (image.file_name !== undefined) {
    names.push(image.file_name);
    // v0.5's COCO_val2014_000000266409.jpg is 000000266409.jpg in COCO 2017 folders.
    const coco2017 = basename(image.file_name).replace(/^COCO_[a-z]+\d{4}_/, '');
    names.push(coco2017, `train2017/${coco2017}`, `val2017/${coco2017}`);
  }
  return [...new Set(names)].map((name) => join(imagesDir, name));
}

/**
 * The JPEG bytes of `image`: found, a JPEG, and of the size the annotations say. `annotations`, the file the
 * image is listed in, is named in errors.
 */
export async function readSourceImage(
  image: LvisImage,
  index: number,
  imagesDir: string,
  annotations?: string,
): Promise<Buffer> {
  const jsonPath = `images[${index}]`;
  const named = annotations === undefined ? {} : { annotations };
  const paths = candidateImagePaths(image, imagesDir);
  let bytes: Buffer | undefined;
  let found = '';
  for (const path of paths) {
    bytes = await readFile(path).catch(() => undefined);
    found = path;
    if (bytes !== undefined) break;
  }
  if (bytes === undefined)
    throw new SourceImageError(image.id, jsonPath, paths, 'no image file', 'not-found', named);
  // The header only: a full decode of every image would dominate prepare; the reader decodes anyway and
  // reports an undecodable record by shard and key.
  const metadata = await sharp(bytes)
    .metadata()
    .catch((error: unknown) => {
      throw new SourceImageError(image.id, jsonPath, [found], 'not a readable image', 'invalid', {
        cause: error,
        ...named,
      });
    });
  if (metadata.format !== 'jpeg') {
    throw new SourceImageError(
      image.id,
      jsonPath,
      [found],
      `a ${metadata.format} file, not a JPEG`,
      'invalid',
      named,
    );
  }
  if (metadata.width !== image.width || metadata.height !== image.height) {
    throw new SourceImageError(
      image.id,
      jsonPath,
      [found],
      `${metadata.width}x${metadata.height} pixels, but the annotations say ${image.width}x${image.height}`,
      'invalid',
      named,
    );
  }
  return bytes;
}
