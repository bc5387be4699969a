// A stage's training data, opened once per run: the shard manifest, the label of every category, and the
// aspect-group sizes that fix how many steps an epoch has (mmdet DistributedGroupSampler). The group sizes
// come from the LVIS JSON copied beside the shards (data/shards: manifest.annotations), read as a stream.
import { readLvisGroundTruth, type TrainingConfig } from '../../common/index.js';
import { readShardManifest, type DatasetSource, type ShardManifest } from '../../data/index.js';
import { epochSteps, labelMap, trainingGroupSizes } from '../data/index.js';
import { RankStateError } from './errors.js';

export interface TrainDataset {
  source: DatasetSource;
  manifest: ShardManifest;
  /** Category id -> label in [0, C). */
  labels: ReadonlyMap<number, number>;
  /** Training images per aspect group after the filter. */
  groupSizes: readonly [number, number];
}

export async function openTrainDataset(
  source: DatasetSource,
  config: TrainingConfig,
  signal?: AbortSignal,
): Promise<TrainDataset> {
  const manifest = await readShardManifest(source, signal);
  const labels = labelMap(manifest.categories.map((category) => category.id));
  const numClasses = config.model.roi_head.num_classes;
  if (labels.size !== numClasses) {
    throw new RankStateError(
      `${source.describe('manifest.json')} has ${labels.size} categories but model.roi_head.num_classes is ` +
        `${numClasses}. Try this: set model.roi_head.num_classes=${labels.size}, or point the config at the ` +
        'dataset it was written for',
    );
  }
  const annotations = manifest.annotations.name;
  const groundTruth = await readLvisGroundTruth(
    source.stream(annotations, signal),
    source.describe(annotations),
    {
      ...(signal === undefined ? {} : { signal }),
    },
  );
  const groupSizes = trainingGroupSizes(
    groundTruth.images,
    groundTruth.annotations,
    labels,
    config.data.min_image_side,
  );
  return { source, manifest, labels, groupSizes };
}

/** Steps every rank trains per epoch. */
export function stepsPerEpoch(dataset: TrainDataset, worldSize: number, samplesPerGpu: number): number {
  const steps = epochSteps(dataset.groupSizes, worldSize, samplesPerGpu);
  if (steps < 1) {
    throw new RankStateError(
      `${dataset.source.describe('')} has no image to train on (images with a usable annotation and sides of ` +
        'at least data.min_image_side). Try this: check the dataset, or lower data.min_image_side',
    );
  }
  return steps;
}
