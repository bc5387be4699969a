// A whole detector from an mmdetection state dict (the `state_dict` of a `.pth` checkpoint saved as
// safetensors, issue #14 point 3; docs/adr/0031-mmdet-checkpoints.md). The variables already carry mmdet's
// names (`backbone.layer1.0.conv1.weight`, `neck.lateral_convs.0.conv.weight`, `rpn_head.rpn_conv.weight`,
// `roi_head.bbox_head.shared_fcs.0.weight`, ...), so the mapping is by name; values change layout on the way
// (mmdet-layout.ts) and F32, F16, BF16 and F64 all become float32 exactly (F64 rounded).
//
// Every file tensor either fills one variable or is tolerated on purpose; anything else fails. The whole file is
// checked first and ONE WeightsMismatchError lists every missing, unexpected and mis-shaped (or non-float)
// tensor, with the shape the model expects in torch's layout, before any variable is touched.
//
// Tolerated (reported as ignored, with why), because mmdet's own test ignores them too and they do not change
// a detection:
// - `*.num_batches_tracked`: BN's update counter; BN runs in eval mode (norm_eval=True).
// - `roi_head.bbox_head.loss_cls.cm_numerator|num_gt` (FCBL's LTI) and `roi_head.bbox_head.feature_prototype|
//   feature_variance|feature_used` (FHM): BACL's stage-2 training state (spec gotcha 20: inference ignores it).
// - `ema_*`: mmcv EMAHook's shadow copies (registered as top-level buffers, dots as underscores). The hook swaps
//   the averages into the model's own names before a checkpoint is saved, and mmdet tests those names.
// A `module.` prefix on every name (a state dict saved from the DDP wrapper) is dropped, as mmcv's
// load_checkpoint does. Everything else that matches no variable (a mask head, another architecture's layers)
// is an error: the file and --config describe different models.
import { assignTargets, type WeightTarget } from './checkpoint.js';
import { WeightsMismatchError, type TensorMismatch } from './errors.js';
import { fromTorchLayout, torchShape, type TorchLayout } from './mmdet-layout.js';
import { safetensorsFloat32, type SafetensorsFile } from './safetensors.js';
import type { NamedArray } from './tensor-blob.js';
import type { IgnoredTensor, ImportReport } from './torchvision-resnet.js';

/** The floating dtypes a file's tensors may have (all convert to float32 exactly, F64 rounded). */
export const MMDET_FLOAT_DTYPES: readonly string[] = ['F32', 'F16', 'BF16', 'F64'];

const BACL_TRAINING_STATE = new Set(
  ['loss_cls.cm_numerator', 'loss_cls.num_gt', 'feature_prototype', 'feature_variance', 'feature_used'].map(
    (name) => `roi_head.bbox_head.${name}`,
  ),
);

/** Why a state-dict tensor is skipped on purpose, or undefined when it must fill a variable. */
export function mmdetIgnoredReason(name: string): string | undefined {
  if (name.endsWith('.num_batches_tracked')) {
    return 'a train-mode BN counter; BN runs in eval mode (norm_eval=True)';
  }
  if (BACL_TRAINING_STATE.has(name)) {
    return "BACL's stage-2 training state (FCBL/FHM); inference does not read it";
  }
  if (name.startsWith('ema_')) {
    return "mmcv EMAHook's shadow copy; the checkpoint's own names hold the weights mmdet tests";
  }
  return undefined;
}

/** A variable to fill: its state-dict name, tfjs shape and how the file lays it out. */
export interface MmdetTarget {
  name: string;
  shape: readonly number[];
  layout: TorchLayout;
}

/** What the file says about a tensor (a SafetensorsEntry without its bytes). */
export interface FileTensor {
  dtype: string;
  shape: readonly number[];
}

export interface MmdetPlan {
  /** Per target, in target order, the file's name for it (with any `module.` prefix). */
  matched: { target: MmdetTarget; fileName: string }[];
  ignored: IgnoredTensor[];
}

const DDP_PREFIX = 'module.';

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * Matches the file's tensors to `targets` by name and checks dtype and shape. Throws one WeightsMismatchError
 * listing every missing, unexpected and mis-shaped tensor (names as the file spells them).
 */
export function planMmdetImport(
  targets: readonly MmdetTarget[],
  tensors: ReadonlyMap<string, FileTensor>,
  source: string,
): MmdetPlan {
  const names = [...tensors.keys()];
  const prefix = names.length > 0 && names.every((name) => name.startsWith(DDP_PREFIX)) ? DDP_PREFIX : '';
  const wanted = new Map(targets.map((target) => [target.name, target]));
  const ignored: IgnoredTensor[] = [];
  const unexpected: string[] = [];
  for (const fileName of names) {
    const name = fileName.slice(prefix.length);
    if (wanted.has(name)) continue;
    const reason = mmdetIgnoredReason(name);
    if (reason === undefined) unexpected.push(fileName);
    else ignored.push({ name: fileName, reason });
  }
  const missing: string[] = [];
  const mismatched: TensorMismatch[] = [];
  const matched: MmdetPlan['matched'] = [];
  for (const target of targets) {
    const fileName = `${prefix}${target.name}`;
    const tensor = tensors.get(fileName);
    const expected = torchShape(target.shape, target.layout);
    if (tensor === undefined) {
      missing.push(fileName);
    } else if (!MMDET_FLOAT_DTYPES.includes(tensor.dtype) || !sameShape(tensor.shape, expected)) {
      mismatched.push({
        name: fileName,
        expected: `float ${shapeText(expected)}`,
        actual: `${tensor.dtype} ${shapeText(tensor.shape)}`,
      });
    } else {
      matched.push({ target, fileName });
    }
  }
  if (missing.length > 0 || unexpected.length > 0 || mismatched.length > 0) {
    throw new WeightsMismatchError(
      source,
      { missing, unexpected, mismatched },
      { hint: mismatchHint(mismatched) },
    );
  }
  return { matched, ignored };
}

/** What to do: the config must describe the checkpoint's model; fc_cls says how many classes it has. */
function mismatchHint(mismatched: readonly TensorMismatch[]): string {
  const fcCls = mismatched.find((m) => m.name.endsWith('roi_head.bbox_head.fc_cls.weight'));
  const classes = fcCls === undefined ? undefined : /\[(\d+), \d+\]$/.exec(fcCls.actual)?.[1];
  const numClasses =
    classes === undefined ? '' : ` (its fc_cls has ${classes} outputs: num_classes ${Number(classes) - 1})`;
  return (
    `evaluate with the config the checkpoint was trained with${numClasses}: lvis_v1 or lvis_v0.5, _r101 for ` +
    'ResNet-101, _baseline for the softmax baselines; the file holds the whole `state_dict` of an mmdetection ' +
    'Faster R-CNN R50/R101-FPN (README: "Evaluating mmdetection checkpoints")'
  );
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}

/**
 * Assigns every target from `file` (see the header); nothing changes unless all of them fit. `layout` gives a
 * target's torch layout (mmdet-layout.ts layoutForRank for all but flattened-input Linears).
 */
export function importMmdetStateDict(
  targets: readonly WeightTarget[],
  file: SafetensorsFile,
  layout: (target: WeightTarget) => TorchLayout,
): ImportReport {
  const byName = new Map(targets.map((target) => [target.name, target]));
  const plan = planMmdetImport(
    targets.map((target) => ({ name: target.name, shape: target.variable.shape, layout: layout(target) })),
    file.tensors,
    file.source,
  );
  const arrays = plan.matched.map(({ target, fileName }): NamedArray => {
    const entry = file.tensors.get(fileName)!;
    return {
      name: target.name,
      kind: byName.get(target.name)!.kind,
      dtype: 'float32',
      shape: [...target.shape],
      data: fromTorchLayout(safetensorsFloat32(entry, file.source), entry.shape, target.layout),
    };
  });
  assignTargets(targets, arrays, { source: file.source });
  return { loaded: arrays.map((array) => array.name), ignored: plan.ignored };
}
