// One rank's share of a run (issue #13 points 2 and 5): the training stages it is asked for, in the config's
// order, each from where the checkpoints say it stands, then (when asked) the evaluate stage. The operator
// runs one stage per pod group (BACL_STAGE); `baclctl run` runs them all in one process per rank. Everything
// a stage needs comes in as arguments: the group, the stores, the datasets; nothing here reads the
// environment or talks to a terminal.
import type { JobStage, TrainingConfig, TrainingStageName } from '../../common/index.js';
import type { Collective } from '../collective/collective.js';
import { readCheckpoint, readLatestPointer } from '../checkpoint/read.js';
import { decodeSharedState } from '../checkpoint/state.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import { classifierForStages, Detector } from '../model/detector.js';
import { RankStateError } from './errors.js';
import { restoreModel } from './stage-state.js';
import { runStage, type CheckpointPolicy, type StageEvent, type StageResult } from './train-stage.js';
import type { TrainDataset } from './train-data.js';

export interface EvaluateRequest {
  detector: Detector;
  config: TrainingConfig;
  collective: Collective;
  signal?: AbortSignal;
}

export interface RankRunOptions {
  config: TrainingConfig;
  configDigest: string;
  /** What to run, in order; training stages must be in config.stages. */
  stages: readonly JobStage[];
  collective: Collective;
  /** Rooted at the run prefix (checkpoints/, eval/). */
  store: CheckpointStore;
  /** Opens the training data (once, on the first training stage). */
  trainData: () => Promise<TrainDataset>;
  /** Runs the evaluate stage with the trained detector; resolves with what it wrote. */
  evaluate: (request: EvaluateRequest) => Promise<unknown>;
  checkpoint: CheckpointPolicy;
  /**
   * An evaluate-only run's weights (BACL_WEIGHTS, eval-weights.ts), loaded instead of the last training stage's
   * checkpoint; only with stages ['evaluate'].
   */
  weights?: (detector: Detector) => Promise<unknown>;
  /** Loads `model.backbone.pretrained` (pretrained.ts); required when the config names one. */
  pretrained?: (detector: Detector, pretrained: string) => Promise<string>;
  /** resume: auto. @default true */
  resume?: boolean;
  signal?: AbortSignal;
  stopRequested?: AbortSignal;
  onEvent?: (event: StageEvent) => void;
  /** After each training stage (finished or stopped), with its length in steps. */
  onStageEnd?: (stage: TrainingStageName, totalSteps: number) => unknown;
  now?: () => Date;
}

export interface RankRunResult {
  /** The training stages run, in order. */
  stages: StageResult[];
  /** False when a stop request ended the run early (after its checkpoint). */
  completed: boolean;
  evaluation?: unknown;
}

/** The training stage each one starts from, in config.stages order (stage 2 from stage 1). */
function previousOf(config: TrainingConfig, stage: TrainingStageName): TrainingStageName | undefined {
  const index = config.stages.indexOf(stage);
  return index > 0 ? config.stages[index - 1] : undefined;
}

export async function runRank(options: RankRunOptions): Promise<RankRunResult> {
  const { config, collective, store, signal } = options;
  for (const stage of options.stages) {
    if (stage !== 'evaluate' && !config.stages.includes(stage)) {
      throw new RankStateError(
        `stage ${stage} is not one of the config's stages (${config.stages.join(', ')}). Try this: run one of ` +
          'those, or evaluate',
      );
    }
  }
  if (options.weights !== undefined && options.stages.join(',') !== 'evaluate') {
    throw new RankStateError(
      'weights to evaluate are for an evaluate-only run. Try this: BACL_STAGE=evaluate',
    );
  }
  const detector = new Detector({
    model: config.model,
    losses: config.losses,
    seed: config.seed,
    classifier: classifierForStages(config.stages),
  });
  try {
    const results: StageResult[] = [];
    let dataset: TrainDataset | undefined;
    for (const stage of options.stages) {
      if (stage === 'evaluate') continue;
      dataset ??= await options.trainData();
      const previous = previousOf(config, stage);
      const pretrained = config.model.backbone.pretrained;
      const initialise =
        previous === undefined && pretrained !== null
          ? () => {
              if (options.pretrained === undefined) {
                throw new RankStateError(
                  `model.backbone.pretrained ${pretrained}: this run cannot load weights`,
                );
              }
              return options.pretrained(detector, pretrained);
            }
          : undefined;
      const result = await runStage({
        detector,
        config,
        stage,
        ...(previous === undefined ? {} : { previousStage: previous }),
        ...(initialise === undefined ? {} : { initialise }),
        collective,
        store,
        dataset,
        configDigest: options.configDigest,
        checkpoint: options.checkpoint,
        resume: options.resume ?? true,
        ...(signal === undefined ? {} : { signal }),
        ...(options.stopRequested === undefined ? {} : { stopRequested: options.stopRequested }),
        ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
        ...(options.now === undefined ? {} : { now: options.now }),
      });
      results.push(result);
      await options.onStageEnd?.(stage, result.totalSteps);
      if (!result.completed) return { stages: results, completed: false };
    }
    if (!options.stages.includes('evaluate')) return { stages: results, completed: true };
    if (options.weights !== undefined) await options.weights(detector);
    else if (results.length === 0) await loadFinalWeights(options, detector);
    const evaluation = await options.evaluate({
      detector,
      config,
      collective,
      ...(signal === undefined ? {} : { signal }),
    });
    return { stages: results, completed: true, evaluation };
  } finally {
    detector.dispose();
  }
}

/**
 * An evaluate-only run (the operator's evaluate pods, which start once the last training stage succeeded):
 * the weights of that stage's latest checkpoint, whatever world size trained it.
 */
async function loadFinalWeights(options: RankRunOptions, detector: Detector): Promise<void> {
  const { config, store, signal } = options;
  const last = config.stages[config.stages.length - 1]!;
  const pointer = await readLatestPointer(store, last, signal);
  if (pointer === undefined) {
    throw new RankStateError(
      `evaluate needs stage ${last}'s final checkpoint, but ${store.locate(`checkpoints/${last}/latest.json`)} ` +
        `does not exist. Try this: run ${last} first`,
    );
  }
  const loaded = await readCheckpoint(store, last, pointer.step, {
    expect: { configDigest: options.configDigest },
    manifestSha256: pointer.manifestSha256,
    ...(signal === undefined ? {} : { signal }),
  });
  restoreModel(detector, decodeSharedState(loaded).weights, `${loaded.uri}/shared/weights`, true);
}
