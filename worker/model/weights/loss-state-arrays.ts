// FCBL's and FHM's training state in checkpoints, under the reference's state-dict names (spec gotcha 20):
// `roi_head.bbox_head.loss_cls.cm_numerator` (M, C×C) and `.num_gt` (n, C) for FCBL, and
// `roi_head.bbox_head.feature_prototype` (μ, C×D), `.feature_variance` (v, C×D) and `.feature_used` (u, C; 0/1,
// stored as uint8) for FHM. They go through the losses' own snapshot()/restore(), which check the sizes.
import type { FcblSnapshot, FhmSnapshot } from '../losses/index.js';
import { WeightsMismatchError } from './errors.js';
import type { NamedArray } from './tensor-blob.js';

/** Where the RoI box head sits in mmdet's detector state dict. */
export const BBOX_HEAD_PREFIX = 'roi_head.bbox_head';

export function fcblStateArrays(snapshot: FcblSnapshot, prefix = BBOX_HEAD_PREFIX): NamedArray[] {
  const c = snapshot.numClasses;
  return [
    {
      name: `${prefix}.loss_cls.cm_numerator`,
      kind: 'state',
      dtype: 'float32',
      shape: [c, c],
      data: snapshot.confusion,
    },
    { name: `${prefix}.loss_cls.num_gt`, kind: 'state', dtype: 'float32', shape: [c], data: snapshot.counts },
  ];
}

export function fhmStateArrays(snapshot: FhmSnapshot, prefix = BBOX_HEAD_PREFIX): NamedArray[] {
  const { numClasses: c, featureDim: d } = snapshot;
  return [
    {
      name: `${prefix}.feature_prototype`,
      kind: 'state',
      dtype: 'float32',
      shape: [c, d],
      data: snapshot.means,
    },
    {
      name: `${prefix}.feature_variance`,
      kind: 'state',
      dtype: 'float32',
      shape: [c, d],
      data: snapshot.variances,
    },
    { name: `${prefix}.feature_used`, kind: 'state', dtype: 'uint8', shape: [c], data: snapshot.used },
  ];
}

/** Finds each wanted [name, rank, dtype] or throws one error listing every missing or mis-shaped one. */
function take(
  arrays: readonly NamedArray[],
  wanted: [string, number, NamedArray['dtype']][],
  source: string,
) {
  const byName = new Map(arrays.map((array) => [array.name, array]));
  const missing = wanted.filter(([name]) => !byName.has(name)).map(([name]) => name);
  const mismatched = wanted.flatMap(([name, rank, dtype]) => {
    const array = byName.get(name);
    return array === undefined || (array.shape.length === rank && array.dtype === dtype)
      ? []
      : [
          {
            name,
            expected: `${dtype} of rank ${rank}`,
            actual: `${array.dtype} [${array.shape.join(', ')}]`,
          },
        ];
  });
  if (missing.length > 0 || mismatched.length > 0) {
    throw new WeightsMismatchError(source, { missing, unexpected: [], mismatched });
  }
  return wanted.map(([name]) => byName.get(name) as NamedArray);
}

export function fcblSnapshotFromArrays(
  arrays: readonly NamedArray[],
  source = 'weights',
  prefix = BBOX_HEAD_PREFIX,
): FcblSnapshot {
  const [confusion, counts] = take(
    arrays,
    [
      [`${prefix}.loss_cls.cm_numerator`, 2, 'float32'],
      [`${prefix}.loss_cls.num_gt`, 1, 'float32'],
    ],
    source,
  ) as [NamedArray, NamedArray];
  return {
    numClasses: counts.shape[0] ?? 0,
    confusion: confusion.data as Float32Array,
    counts: counts.data as Float32Array,
  };
}

export function fhmSnapshotFromArrays(
  arrays: readonly NamedArray[],
  source = 'weights',
  prefix = BBOX_HEAD_PREFIX,
): FhmSnapshot {
  const [means, variances, used] = take(
    arrays,
    [
      [`${prefix}.feature_prototype`, 2, 'float32'],
      [`${prefix}.feature_variance`, 2, 'float32'],
      [`${prefix}.feature_used`, 1, 'uint8'],
    ],
    source,
  ) as [NamedArray, NamedArray, NamedArray];
  return {
    numClasses: means.shape[0] ?? 0,
    featureDim: means.shape[1] ?? 0,
    means: means.data as Float32Array,
    variances: variances.data as Float32Array,
    used: used.data as Uint8Array,
  };
}
