// The model part of the training config (spec 1.2): backbone, FPN, RPN and RoI head. Field names follow the
// mmdetection configs they come from (snake_case), so a reader can hold the two side by side. Every default
// is the spec's R50-FPN value; `configs/_base_/models/*.yaml` still writes them out, as mmdet's files do.
import { z } from 'zod';

const positiveInt = z.number().int().positive();
const unitInterval = z.number().min(0).max(1);

export const backboneSchema = z
  .object({
    depth: z
      .union([z.literal(50), z.literal(101), z.literal('tiny')])
      .describe("ResNet depth: 50 or 101 (bottlenecks [3,4,6,3] / [3,4,23,3]), or 'tiny' for tests and CI"),
    frozen_stages: z
      .number()
      .int()
      .min(-1)
      .max(4)
      .default(1)
      .describe('mmdet frozen_stages: -1 trains all, 0 freezes the stem, k also layer1..k (spec 1.2: 1)'),
    stem_channels: positiveInt.optional().describe('tiny only: stem width (default 8)'),
    planes: z
      .array(positiveInt)
      .length(4)
      .optional()
      .describe('tiny only: bottleneck width per stage, outputs are 4x (default [4, 8, 8, 16])'),
    blocks: z
      .array(positiveInt)
      .length(4)
      .optional()
      .describe('tiny only: bottlenecks per stage (default [1, 1, 1, 1])'),
    pretrained: z
      .string()
      .nullable()
      .default(null)
      .describe("ImageNet init, e.g. 'torchvision://resnet50' (spec 1.2); null starts from random init"),
  })
  .describe('ResNet backbone, pytorch style, frozen BN (norm_eval=True)');

const assignerSchema = z.object({
  pos_iou_thr: unitInterval.describe('IoU at or above which a box is positive'),
  neg_iou_thr: unitInterval.describe('IoU below which a box is negative'),
  min_pos_iou: unitInterval.describe('least IoU of a low-quality (best-for-GT) match'),
});

const samplerSchema = z.object({
  num: positiveInt.describe('boxes sampled per image'),
  pos_fraction: unitInterval.describe('upper share of positives'),
});

const proposalSchema = z.object({
  nms_pre: positiveInt.describe('top anchors per level before NMS'),
  nms_post: positiveInt.describe('proposals kept per image after NMS'),
  nms_thr: unitInterval.default(0.7).describe('NMS IoU threshold'),
  min_bbox_size: z.number().min(0).default(0).describe('smallest proposal side kept; 0 keeps all'),
});

export const rpnSchema = z
  .object({
    feat_channels: positiveInt.default(256).describe('channels of the shared 3x3 conv'),
    anchor_scales: z.array(z.number().positive()).min(1).default([8]).describe('in units of the stride'),
    anchor_ratios: z.array(z.number().positive()).min(1).default([0.5, 1, 2]).describe('height / width'),
    anchor_strides: z.array(positiveInt).length(5).default([4, 8, 16, 32, 64]).describe('P2..P6'),
    assigner: assignerSchema.prefault({ pos_iou_thr: 0.7, neg_iou_thr: 0.3, min_pos_iou: 0.3 }),
    sampler: samplerSchema.prefault({ num: 256, pos_fraction: 0.5 }),
    train_proposals: proposalSchema
      .prefault({ nms_pre: 2000, nms_post: 2000 })
      .describe('BACL stages 2000/2000; baselines nms_post 1000 (spec 1.2, 1.5)'),
    test_proposals: proposalSchema.prefault({ nms_pre: 1000, nms_post: 1000 }),
  })
  .describe('RPN head, anchors, targets and proposals (spec 1.2)');

export const roiHeadSchema = z
  .object({
    num_classes: positiveInt.describe('C, foreground classes: 1203 (LVIS v1), 1230 (v0.5) (spec 1.1)'),
    roi_size: positiveInt.default(7).describe('RoIAlign output side'),
    sampling_ratio: z.number().int().min(0).default(0).describe('RoIAlign samples per bin; 0 adaptive'),
    finest_scale: z.number().positive().default(56).describe('RoI level choice scale'),
    fc_channels: positiveInt.default(1024).describe('width of the two shared FCs (D of x_cls)'),
    assigner: assignerSchema.prefault({ pos_iou_thr: 0.5, neg_iou_thr: 0.5, min_pos_iou: 0.5 }),
    sampler: samplerSchema.prefault({ num: 512, pos_fraction: 0.25 }),
    score_thr: z.number().min(0).default(1e-4).describe('test: least detection score'),
    nms_thr: unitInterval.default(0.5).describe('test: per-class NMS IoU'),
    max_per_img: positiveInt.default(300).describe('test: detections kept per image'),
  })
  .describe('Shared2FC box head, RoI targets and test post-processing (spec 1.2)');

export const modelSchema = z
  .object({
    backbone: backboneSchema,
    neck: z.object({ out_channels: positiveInt.default(256).describe('FPN channels (P2..P6)') }).prefault({}),
    rpn_head: rpnSchema.prefault({}),
    roi_head: roiHeadSchema,
  })
  .describe('Faster R-CNN R50/R101-FPN (spec 1.2)');

export type ModelConfig = z.output<typeof modelSchema>;
export type BackboneConfig = ModelConfig['backbone'];
