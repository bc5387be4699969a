// The box head (spec 1.2; mmdet 2.8 `Shared2FCBBoxHead`, and `FhmShared2FCBBoxHead` in stage 2, which has the
// same parameters): pooled RoI features [N, 7, 7, 256] are flattened, go through two shared FCs of 1024 with
// ReLU (the output is the "cls embedding" x_cls that FHM models, spec 3.1), then `fc_cls` (1024 → C+1, column
// C is background) and `fc_reg` (1024 → 4C, class-specific: columns 4c..4c+3 are class c's deltas).
//
// Initialisation (spec 1.2): shared FCs Xavier-uniform, bias 0; `fc_reg` N(0, 0.001), bias 0; `fc_cls`
// N(0, 0.01) with bias −ln((1−p)/p), p = 0.001, on every output for the sigmoid classifiers (BCE, FCBL), and
// bias 0 for the softmax baseline (mmdet `BBoxHead.init_weights`). Stage 2 loads stage 1's weights instead.
//
// Variable names mirror mmdet's state dict (`roi_head.bbox_head.shared_fcs.0.weight`), so the stage-2 freezing
// rule (a substring match on names, ../trainable-sets.ts) and checkpoint mapping work by name. Two layout notes for
// a PyTorch importer: FC weights here are [in, out] (torch: [out, in]), and the flatten is NHWC, so input
// feature (y·7 + x)·256 + c of `shared_fcs.0` is torch's c·49 + y·7 + x.
import * as tf from '@tensorflow/tfjs';
import { priorBias } from '../losses/index.js';
import { assertPositiveInteger, RoiHeadOptionError, RoiHeadShapeError } from './errors.js';
import { normalMatrix, xavierUniformMatrix } from './fc-init.js';
import type { UniformRng } from '../../../common/index.js';

/** Which classification loss `fc_cls` is trained with; it decides the bias init and the test activation. */
export type ClassifierKind = 'sigmoid' | 'softmax';

export interface BoxHeadOptions {
  /** C, the foreground classes (1203 for LVIS v1, 1230 for v0.5). */
  numClasses: number;
  /** Channels of the pooled features (the FPN's). @default 256 */
  inChannels?: number;
  /** Side of the pooled RoI features. @default 7 */
  roiSize?: number;
  /** Width of the two shared FCs, D of the cls embedding. @default 1024 */
  fcChannels?: number;
  /** 'sigmoid' for stage-1 BCE and stage-2 FCBL, 'softmax' for the baseline. @default 'sigmoid' */
  classifier?: ClassifierKind;
  /** The prior the sigmoid `fc_cls` bias starts from. @default 0.001 */
  priorProbability?: number;
  /** Variable name prefix (names are `${name}.shared_fcs.0.weight` ...). @default 'roi_head.bbox_head' */
  name?: string;
}

export const BOX_HEAD_DEFAULTS: Readonly<Required<Omit<BoxHeadOptions, 'numClasses'>>> = Object.freeze({
  inChannels: 256,
  roiSize: 7,
  fcChannels: 1024,
  classifier: 'sigmoid',
  priorProbability: 0.001,
  name: 'roi_head.bbox_head',
});

/** One fully connected layer: y = x·W + b. */
export interface DenseParams {
  weight: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
}

/** What the head computes for a batch of RoIs. */
export interface BoxHeadOutputs {
  /** [N, C+1] logits; column C is background. */
  clsScore: tf.Tensor2D;
  /** [N, 4C] class-specific encoded deltas. */
  bboxPred: tf.Tensor2D;
  /** [N, D] the post-ReLU output of the second shared FC (x_cls). */
  embedding: tf.Tensor2D;
}

function dense(x: tf.Tensor2D, params: DenseParams): tf.Tensor2D {
  return tf.add(tf.matMul(x, params.weight), params.bias);
}

function createDense(name: string, weight: tf.Tensor2D, biasValue: number): DenseParams {
  return tf.tidy(() => ({
    weight: tf.variable(weight, true, `${name}.weight`),
    bias: tf.variable(tf.fill<tf.Rank.R1>([weight.shape[1]], biasValue), true, `${name}.bias`),
  }));
}

export class BoxHead {
  readonly options: Readonly<Required<BoxHeadOptions>>;
  /** `shared_fcs.0` (flattened RoI → D) and `shared_fcs.1` (D → D). */
  readonly sharedFcs: readonly [DenseParams, DenseParams];
  readonly fcCls: DenseParams;
  readonly fcReg: DenseParams;

  /** Weights are drawn from `rng` in the order shared_fcs.0, shared_fcs.1, fc_cls, fc_reg (row-major [in, out]). */
  constructor(rng: UniformRng, options: BoxHeadOptions) {
    const resolved = { ...BOX_HEAD_DEFAULTS, ...options };
    this.options = resolved;
    const { numClasses, inChannels, roiSize, fcChannels, classifier, priorProbability, name } = resolved;
    for (const [option, value] of Object.entries({ numClasses, inChannels, roiSize, fcChannels })) {
      assertPositiveInteger(option, value);
    }
    if (classifier !== 'sigmoid' && classifier !== 'softmax') {
      throw new RoiHeadOptionError('classifier', classifier, "must be 'sigmoid' or 'softmax'");
    }
    const layers = ['shared_fcs.0', 'shared_fcs.1', 'fc_cls', 'fc_reg'];
    // tfjs refuses a variable name twice; checking first means a clash leaves no half-built head behind.
    const taken = layers
      .flatMap((layer) => [`${name}.${layer}.weight`, `${name}.${layer}.bias`])
      .filter((variableName) => variableName in tf.engine().registeredVariables);
    if (taken.length > 0) {
      throw new RoiHeadOptionError(
        'name',
        name,
        `variables ${taken.join(', ')} already exist; use another prefix`,
      );
    }
    const flat = roiSize * roiSize * inChannels;
    const build = (layer: string, make: () => tf.Tensor2D, bias: number): DenseParams => {
      const weight = make();
      try {
        return createDense(`${name}.${layer}`, weight, bias);
      } finally {
        weight.dispose();
      }
    };
    this.sharedFcs = [
      build('shared_fcs.0', () => xavierUniformMatrix(rng, flat, fcChannels), 0),
      build('shared_fcs.1', () => xavierUniformMatrix(rng, fcChannels, fcChannels), 0),
    ];
    const clsBias = classifier === 'sigmoid' ? priorBias(priorProbability) : 0;
    this.fcCls = build('fc_cls', () => normalMatrix(rng, fcChannels, numClasses + 1, 0.01), clsBias);
    this.fcReg = build('fc_reg', () => normalMatrix(rng, fcChannels, 4 * numClasses, 0.001), 0);
  }

  get numClasses(): number {
    return this.options.numClasses;
  }

  /** Every variable, shared_fcs.0, shared_fcs.1, fc_cls, fc_reg (weight then bias). */
  get variables(): tf.Variable[] {
    return [...this.sharedFcs, this.fcCls, this.fcReg].flatMap((p) => [p.weight, p.bias]);
  }

  /** x_cls [N, D] from pooled RoI features [N, roiSize, roiSize, inChannels]. */
  embed(roiFeatures: tf.Tensor4D): tf.Tensor2D {
    const { roiSize, inChannels } = this.options;
    const [rows, height, width, channels] = roiFeatures.shape;
    if (roiFeatures.rank !== 4 || height !== roiSize || width !== roiSize || channels !== inChannels) {
      throw new RoiHeadShapeError(
        'roiFeatures',
        roiFeatures.shape,
        `[N, ${roiSize}, ${roiSize}, ${inChannels}]`,
      );
    }
    return tf.tidy(() => {
      const flat = tf.reshape<tf.Rank.R2>(roiFeatures, [rows, roiSize * roiSize * inChannels]);
      const hidden = tf.relu(dense(flat, this.sharedFcs[0]));
      return tf.relu(dense(hidden, this.sharedFcs[1]));
    });
  }

  /** `fc_cls`: [N, D] → [N, C+1]. Also what FHM's hallucinated features go through (spec 3.6). */
  classify(embedding: tf.Tensor2D): tf.Tensor2D {
    this.checkEmbedding(embedding);
    return tf.tidy(() => dense(embedding, this.fcCls));
  }

  /** `fc_reg`: [N, D] → [N, 4C]. */
  regress(embedding: tf.Tensor2D): tf.Tensor2D {
    this.checkEmbedding(embedding);
    return tf.tidy(() => dense(embedding, this.fcReg));
  }

  /** The whole head on pooled RoI features. */
  apply(roiFeatures: tf.Tensor4D): BoxHeadOutputs {
    return tf.tidy(() => {
      const embedding = this.embed(roiFeatures);
      return { clsScore: this.classify(embedding), bboxPred: this.regress(embedding), embedding };
    });
  }

  dispose(): void {
    tf.dispose(this.variables);
  }

  private checkEmbedding(embedding: tf.Tensor2D): void {
    if (embedding.rank !== 2 || embedding.shape[1] !== this.options.fcChannels) {
      throw new RoiHeadShapeError('embedding', embedding.shape, `[N, ${this.options.fcChannels}]`);
    }
  }
}

/** Disposes the tensors of `outputs`. */
export function disposeBoxHeadOutputs(outputs: BoxHeadOutputs): void {
  tf.dispose([outputs.clsScore, outputs.bboxPred, outputs.embedding]);
}
