// The loader's visitors: they receive the scanner's pieces (or an in-memory value's), validate each one as it
// arrives and assemble a ground truth or a results list. See loader.ts for how they are fed.
import { LvisFormatError } from './errors.js';
import type { JsonScanVisitor } from './json-scan.js';
import { checkLvisReferences } from './references.js';
import {
  lvisAnnotationSchema,
  lvisCategorySchema,
  lvisDetectionSchema,
  lvisImageSchemas,
  type LvisDetection,
  type LvisGroundTruth,
  type LvisVersion,
} from './schema.js';
import { validateLvisValue } from './validate.js';

export interface VisitorOptions {
  /** Which version's image fields to require (`v0.5`: file_name, `v1`: coco_url). @default 'any' */
  version?: LvisVersion;
  /** Keep annotations' `segmentation` (not validated when dropped). @default false */
  keepSegmentation?: boolean;
}

/** Builds a ground truth from the scanner's pieces, validating each as it arrives. */
export function groundTruthVisitor(
  file: string,
  options: VisitorOptions,
): JsonScanVisitor & { done(): LvisGroundTruth } {
  const imageSchema = lvisImageSchemas[options.version ?? 'any'];
  const parts: Partial<LvisGroundTruth> & { licenses?: unknown[] } = {};
  const notAnArray = (key: string) =>
    new LvisFormatError(
      { file, jsonPath: key },
      `${key} is not an array`,
      'An LVIS file lists images, annotations and categories as arrays.',
    );
  return {
    arrayStart(key) {
      if (key === null) {
        throw new LvisFormatError(
          { file, jsonPath: '$' },
          'the top level is an array, not an object',
          'This looks like a results file; pass the LVIS annotation file (lvis_v1_val.json) as ground truth.',
        );
      }
      if (key === 'images' || key === 'annotations' || key === 'categories' || key === 'licenses')
        parts[key] = [];
    },
    member(key, value) {
      if (key === 'images' || key === 'annotations' || key === 'categories') throw notAnArray(key);
      if (key === 'info' || key === 'licenses') parts[key] = value as never;
    },
    element(key, index, value) {
      if (key === 'images') parts.images!.push(validateLvisValue(imageSchema, value, file, [key, index]));
      else if (key === 'annotations') {
        if (!options.keepSegmentation && typeof value === 'object' && value !== null) {
          delete (value as { segmentation?: unknown }).segmentation;
        }
        parts.annotations!.push(validateLvisValue(lvisAnnotationSchema, value, file, [key, index]));
      } else if (key === 'categories') {
        parts.categories!.push(validateLvisValue(lvisCategorySchema, value, file, [key, index]));
      } else if (key === 'licenses') parts.licenses!.push(value);
    },
    done() {
      for (const key of ['images', 'annotations', 'categories'] as const) {
        if (parts[key] === undefined) {
          throw new LvisFormatError(
            { file, jsonPath: '$' },
            `the member "${key}" is missing`,
            'An LVIS file has images, annotations and categories; is this the right file?',
          );
        }
      }
      const gt = parts as LvisGroundTruth;
      checkLvisReferences(gt, file);
      return gt;
    },
  };
}

export function resultsVisitor(file: string): JsonScanVisitor & { done(): LvisDetection[] } {
  let detections: LvisDetection[] | undefined;
  const notAnArray = () =>
    new LvisFormatError(
      { file, jsonPath: '$' },
      'the top level is not an array',
      'A results file is a JSON array of detections; did you pass the ground truth as results?',
    );
  return {
    arrayStart(key) {
      if (key !== null) throw notAnArray();
      detections = [];
    },
    member() {
      throw notAnArray();
    },
    element(_key, index, value) {
      detections!.push(validateLvisValue(lvisDetectionSchema, value, file, [index]));
    },
    done() {
      if (detections === undefined) throw notAnArray();
      return detections;
    },
  };
}

/** Feeds an in-memory value to a visitor exactly as the scanner would. */
export function visitValue(value: unknown, visitor: JsonScanVisitor): void {
  if (Array.isArray(value)) {
    visitor.arrayStart?.(null);
    value.forEach((element, index) => visitor.element(null, index, element));
    return;
  }
  if (typeof value !== 'object' || value === null) {
    visitor.member?.('$', value);
    return;
  }
  for (const [key, member] of Object.entries(value)) {
    if (Array.isArray(member)) {
      visitor.arrayStart?.(key);
      member.forEach((element, index) => visitor.element(key, index, element));
    } else visitor.member?.(key, member);
  }
}
