// The Faster R-CNN detector (spec 1.2) assembled from the typed config: ResNet backbone + FPN (P2..P6) in a
// ParameterStore under mmdet's state-dict names, the RPN head, the Shared2FC box head, and, for sigmoid
// classifiers, the FCBL and FHM state that stage 2 trains with (ADR 0008). Training steps, inference and
// checkpoints live beside this file (detector-step.ts, detector-inference.ts, detector-checkpoint.ts); this
// class owns the variables and the forward pass up to the features.
import * as tf from '@tensorflow/tfjs';
import {
  seededRng,
  type LossesConfig,
  type ModelConfig,
  type TrainingStageName,
  type UniformRng,
} from '../../common/index.js';
import { ParameterStore, ResNet } from './backbone/index.js';
import { concatLevels, multiLevelAnchors } from './boxes/index.js';
import { DetectorOptionError } from './detector-errors.js';
import { anchorOptions, backboneArch } from './detector-options.js';
import { Fpn } from './fpn.js';
import { FcblState, FhmState } from './losses/index.js';
import { BoxHead, type ClassifierKind } from './roi-head/index.js';
import { RpnHead } from './rpn/index.js';
import { freezeForStage } from './trainable-sets.js';
import type { WeightTarget } from './weights/index.js';

export interface DetectorConfig {
  model: ModelConfig;
  losses: LossesConfig;
  /** Every init draw derives from it (backbone, FPN, RPN, box head in that order). */
  seed: number;
  /** 'softmax' for the baseline, 'sigmoid' for BACL's stages (spec 1.3-1.5). */
  classifier: ClassifierKind;
}

/** The classifier a run's stages need: the baseline is softmax CE, BACL's stages are sigmoid (spec 1.5, 2). */
export function classifierForStages(stages: readonly TrainingStageName[]): ClassifierKind {
  const softmax = stages.includes('baseline');
  if (softmax && stages.some((stage) => stage !== 'baseline')) {
    throw new DetectorOptionError('stages', stages, 'the baseline cannot share a run with the BACL stages');
  }
  return softmax ? 'softmax' : 'sigmoid';
}

/** Anchors of one padded input size: per level (for proposals) and concatenated (for targets). */
export interface LevelAnchors {
  levels: Float32Array[];
  all: Float32Array;
}

export class Detector {
  readonly config: DetectorConfig;
  readonly store: ParameterStore;
  readonly backbone: ResNet;
  readonly fpn: Fpn;
  readonly rpn: RpnHead;
  readonly head: BoxHead;
  /** Stage 2's long-term indicator; absent for the softmax baseline. */
  readonly fcbl: FcblState | undefined;
  /** This rank's FHM Gaussians; absent for the softmax baseline or with FHM off. */
  readonly fhm: FhmState | undefined;
  private readonly anchorCache = new Map<string, LevelAnchors>();

  constructor(config: DetectorConfig) {
    this.config = config;
    const { model, losses, seed, classifier } = config;
    const rng: UniformRng = seededRng(seed);
    this.store = new ParameterStore();
    const built: { dispose(): void }[] = [this.store];
    try {
      this.backbone = new ResNet(this.store, rng, {
        arch: backboneArch(model.backbone),
        frozenStages: model.backbone.frozen_stages,
      });
      this.fpn = new Fpn(this.store, rng, {
        inChannels: this.backbone.outChannels,
        outChannels: model.neck.out_channels,
      });
      const ratios = model.rpn_head.anchor_ratios.length * model.rpn_head.anchor_scales.length;
      this.rpn = new RpnHead(rng, {
        inChannels: model.neck.out_channels,
        featChannels: model.rpn_head.feat_channels,
        anchorsPerLocation: ratios,
      });
      built.push(this.rpn);
      this.head = new BoxHead(rng, {
        numClasses: model.roi_head.num_classes,
        inChannels: model.neck.out_channels,
        roiSize: model.roi_head.roi_size,
        fcChannels: model.roi_head.fc_channels,
        classifier,
      });
      built.push(this.head);
      const sigmoid = classifier === 'sigmoid';
      this.fcbl = sigmoid ? new FcblState(model.roi_head.num_classes) : undefined;
      if (this.fcbl !== undefined) built.push(this.fcbl);
      this.fhm =
        sigmoid && losses.classifier.fhm.enabled
          ? new FhmState(
              model.roi_head.num_classes,
              model.roi_head.fc_channels,
              losses.classifier.fhm.decay_ratio,
            )
          : undefined;
    } catch (error) {
      // A half-built detector would hold registered variable names and block the next attempt.
      for (const part of built.reverse()) part.dispose();
      throw error;
    }
  }

  get numClasses(): number {
    return this.config.model.roi_head.num_classes;
  }

  /** Every learnable variable, in a stable order: backbone + FPN (store order), RPN, box head. */
  parameters(): tf.Variable[] {
    return [
      ...this.store.list('parameter').map((entry) => entry.variable),
      ...this.rpn.variables,
      ...this.head.variables,
    ];
  }

  /**
   * Applies a stage's freezing (spec 1.4: stage 2 trains only fc_cls, fc_reg and the RPN) on top of the
   * backbone's frozen stages, and returns the variables the stage trains. It only ever freezes, so call it
   * once per stage on a detector built (or loaded) for that stage.
   */
  prepareStage(stage: TrainingStageName): tf.Variable[] {
    const kind = this.head.options.classifier;
    if ((stage === 'baseline') !== (kind === 'softmax')) {
      throw new DetectorOptionError('stage', stage, `a ${kind} box head cannot train the ${stage} stage`);
    }
    freezeForStage(stage, this.parameters());
    return this.trainableVariables();
  }

  trainableVariables(): tf.Variable[] {
    return this.parameters().filter((variable) => variable.trainable);
  }

  /** Normalised, padded images [B, H, W, 3] → [P2..P6]. */
  features(images: tf.Tensor4D): tf.Tensor4D[] {
    const stages = this.backbone.apply(images);
    try {
      return this.fpn.apply(stages);
    } finally {
      tf.dispose(stages);
    }
  }

  /** The anchors of P2..P6 for these feature maps, cached per map size (same for every image of a batch). */
  anchorsFor(features: readonly tf.Tensor4D[]): LevelAnchors {
    const sizes = features.map((map) => ({ height: map.shape[1], width: map.shape[2] }));
    const key = sizes.map((size) => `${size.height}x${size.width}`).join(',');
    let anchors = this.anchorCache.get(key);
    if (anchors === undefined) {
      const levels = multiLevelAnchors(sizes, anchorOptions(this.config.model));
      anchors = { levels, all: concatLevels(levels) };
      this.anchorCache.set(key, anchors);
    }
    return anchors;
  }

  /** Every variable a checkpoint holds, by state-dict name (BN statistics included as 'state'). */
  weightTargets(): WeightTarget[] {
    const heads = [...this.rpn.variables, ...this.head.variables].map((variable) => ({
      name: variable.name,
      kind: 'parameter' as const,
      variable,
    }));
    return [...this.store.list(), ...heads];
  }

  dispose(): void {
    this.store.dispose();
    this.rpn.dispose();
    this.head.dispose();
    this.fcbl?.dispose();
    this.fhm?.dispose();
  }
}
