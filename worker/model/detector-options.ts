// The typed config's model and loss sections (snake_case, spec names) mapped onto the options of the blocks
// the detector is built from. Pure: no tensors, so it is cheap to test and to call per step.
import type { ModelConfig, LossesConfig } from '../../common/index.js';
import { resnetArch, tinyResNetArch, type ResNetArch } from './backbone/index.js';
import type { AnchorOptions, MaxIouAssignerOptions, RandomSamplerOptions } from './boxes/index.js';
import type { MulticlassNmsOptions } from './inference/index.js';
import type { FcblOptions, HallucinationOptions } from './losses/index.js';
import type { RoiAlignOptions } from './roi-align.js';
import type { RoiTargetOptions } from './roi-head/index.js';
import type { ProposalOptions, RpnTargetOptions } from './rpn/index.js';

type Assigner = ModelConfig['rpn_head']['assigner'];
type Sampler = ModelConfig['rpn_head']['sampler'];
type Proposal = ModelConfig['rpn_head']['train_proposals'];

export function backboneArch(backbone: ModelConfig['backbone']): ResNetArch {
  if (backbone.depth !== 'tiny') return resnetArch(backbone.depth);
  return tinyResNetArch({
    ...(backbone.stem_channels === undefined ? {} : { stemChannels: backbone.stem_channels }),
    ...(backbone.planes === undefined ? {} : { planes: backbone.planes as [number, number, number, number] }),
    ...(backbone.blocks === undefined ? {} : { blocks: backbone.blocks as [number, number, number, number] }),
  });
}

const assigner = (a: Assigner): MaxIouAssignerOptions => ({
  posIouThreshold: a.pos_iou_thr,
  negIouThreshold: a.neg_iou_thr,
  minPosIou: a.min_pos_iou,
});

const proposals = (p: Proposal): ProposalOptions => ({
  nmsPre: p.nms_pre,
  nmsPost: p.nms_post,
  iouThreshold: p.nms_thr,
  minBoxSize: p.min_bbox_size,
});

export const anchorOptions = (model: ModelConfig): AnchorOptions => ({
  strides: [...model.rpn_head.anchor_strides],
  scales: [...model.rpn_head.anchor_scales],
  ratios: [...model.rpn_head.anchor_ratios],
});

export const rpnTargetOptions = (model: ModelConfig): RpnTargetOptions => ({
  assigner: assigner(model.rpn_head.assigner),
  sampler: { num: model.rpn_head.sampler.num, posFraction: model.rpn_head.sampler.pos_fraction },
});

export const trainProposalOptions = (model: ModelConfig): ProposalOptions =>
  proposals(model.rpn_head.train_proposals);

export const testProposalOptions = (model: ModelConfig): ProposalOptions =>
  proposals(model.rpn_head.test_proposals);

/** The RoI sampler always adds the GT boxes as proposals (mmdet `add_gt_as_proposals=True`, spec 1.2). */
export function roiTargetOptions(model: ModelConfig): RoiTargetOptions {
  const sampler: Sampler = model.roi_head.sampler;
  const roiSampler: RandomSamplerOptions = {
    num: sampler.num,
    posFraction: sampler.pos_fraction,
    addGtAsProposals: true,
  };
  return { assigner: assigner(model.roi_head.assigner), sampler: roiSampler };
}

/** RoIAlign reads P2..P5 only, whose strides are the first four anchor strides (spec 1.2). */
export const roiAlignOptions = (model: ModelConfig): RoiAlignOptions => ({
  outputSize: model.roi_head.roi_size,
  samplingRatio: model.roi_head.sampling_ratio,
  finestScale: model.roi_head.finest_scale,
  featmapStrides: model.rpn_head.anchor_strides.slice(0, 4),
});

export const testNmsOptions = (model: ModelConfig): MulticlassNmsOptions => ({
  scoreThreshold: model.roi_head.score_thr,
  iouThreshold: model.roi_head.nms_thr,
  maxPerImage: model.roi_head.max_per_img,
});

export const fcblOptions = (losses: LossesConfig): FcblOptions => ({
  alpha: losses.classifier.fcbl.alpha,
  probThreshold: losses.classifier.fcbl.prob_thr,
  lossWeight: losses.classifier.fcbl.loss_weight,
  reweight: losses.classifier.fcbl.reweight,
});

export const hallucinationOptions = (losses: LossesConfig): HallucinationOptions => ({
  sampledClasses: losses.classifier.fhm.sampled_num_classes,
  samplesPerClass: losses.classifier.fhm.sampled_num_features,
});
