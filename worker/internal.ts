// worker/ internals for tests and benchmarks only (the nats.js "./internal" pattern): never imported by
// other parts, which use worker/index.ts. Everything public is here too, so a test needs one import.
export * from './index.js';
export { type WorkerStart } from './main.js';
export { readWorkerSettings, type WorkerSettings, WorkerSettingsError } from './settings.js';
export {
  type AnnotatedImage,
  AspectGrouper,
  collateBatch,
  compactMask,
  copyPaste,
  type CopyPasteOptions,
  DataOptionError,
  DataSampleError,
  decodeRleString,
  epochSteps,
  expandMask,
  filterOptions,
  flipAnnotated,
  flipInstanceMask,
  type InstanceMask,
  labelMap,
  maskArea,
  maskBox,
  padAnnotated,
  prefetch,
  representationLoad,
  type RepresentationPipeline,
  resizeAnnotated,
  resizeBilinear,
  resizeInstanceMask,
  resizeMaskNearest,
  runLengthsToMask,
  SegmentationError,
  segmentationMask,
  type StandardPipeline,
  subtractMask,
  testPipeline,
  type TrainBatch,
  trainBatches,
  trainingGroupSizes,
  type TrainLoaderOptions,
  trainPipeline,
  trainsOn,
  usableAnnotations,
} from './data/index.js';
export {
  addBf16,
  addRoundedBf16,
  bf16AllReduceBound,
  finishBf16,
  finishPairBf16,
  packBf16,
  roundToBf16,
  unpackBf16,
} from './collective/bf16.js';
export type { Collective, WireFormat } from './collective/collective.js';
export { CreditLedger, GrantTracker, windowFrames } from './collective/credits.js';
export { CollectiveEngine, type EngineOptions } from './collective/engine.js';
export { FramePool } from './collective/frame-pool.js';
export {
  CollectiveAbortedError,
  CollectiveError,
  CollectiveMismatchError,
  CollectiveOptionError,
  CollectiveTimeoutError,
  FrameError,
  PeerLostError,
} from './collective/errors.js';
export {
  decodeHeader,
  Dtype,
  encodeHeader,
  FRAME_HEADER_BYTES,
  type FrameHeader,
  Kind,
  Phase,
} from './collective/frame.js';
export { HeartbeatMonitor } from './collective/heartbeat.js';
export { joinHierarchicalGroup } from './collective/hierarchical.js';
export { joinGroup } from './collective/join-group.js';
export {
  closeWithin,
  connectRetrying,
  serverUnreachable,
  shownNatsUrl,
  type ConnectRetryOptions,
} from './collective/nats-connect.js';
export { joinLocalGroup } from './collective/local-collective.js';
export { joinNatsGroup } from './collective/nats-collective.js';
export { chunkElements, chunkPayloadBytes, planAllReduce, wireBytes } from './collective/plan.js';
export {
  addFloat32,
  addFloat32Finish,
  fixedOrderSum,
  sumInRankOrder,
  sumPairFloat32,
} from './collective/reduce.js';
export { type Join, RendezvousBook } from './collective/rendezvous.js';
export { messagePrefix, MessageReader, MessageType } from './collective/socket-framing.js';
export { groupSubjects } from './collective/subjects.js';
export type { AbortNotice, CollectiveTransport, Route } from './collective/transport.js';
export {
  crc32c,
  decodeEvent,
  maskedCrc32c,
  openEventWriter,
  readRecords,
  type ScalarEvent,
  TfRecordError,
} from './events/index.js';
export {
  BATCH_NORM_EPSILON,
  createFrozenBatchNorm,
  frozenBatchNorm,
  normalizeImages,
  ParameterNameError,
  ParameterStore,
  ResNet,
  resnetArch,
  type ResNetArch,
  tinyResNetArch,
} from './model/backbone/index.js';
export { buildBoxGrid, forEachCandidate } from './model/boxes/box-grid.js';
export {
  anchorsPerLocation,
  assignMaxIou,
  type Assignment,
  baseAnchors,
  batchedNms,
  BoxOptionError,
  BoxShapeError,
  concatLevels,
  decodeDeltas,
  encodeDeltas,
  gridAnchors,
  iouAt,
  type MaxIouAssignerOptions,
  multiLevelAnchors,
  nms,
  pairwiseIou,
  ROI_ASSIGNER,
  ROI_CODER,
  ROI_SAMPLER,
  RPN_ASSIGNER,
  RPN_CODER,
  RPN_SAMPLER,
  sampleRandom,
} from './model/boxes/index.js';
export { DetectorInputError, DetectorOptionError } from './model/detector-errors.js';
export { ModelError, ModelOptionError, ModelShapeError } from './model/errors.js';
export { Fpn } from './model/fpn.js';
export {
  classifierForStages,
  computeGradients,
  detectBatch,
  detectLvis,
  Detector,
  detectorArrays,
  disposeStepGradients,
  finishStep,
  loadDetector,
  loadMmdetDetector,
  mmdetLayouts,
  prepareBatch,
  type PreparedBatch,
  rescaleSize,
  saveDetector,
  SgdMomentum,
  type SourceImage,
  type StepLosses,
  trainStage,
  trainStep,
} from './model/index.js';
export {
  classScores,
  detect,
  type Detections,
  InferenceOptionError,
  InferenceShapeError,
  multiclassNms,
  postProcessImage,
  scaleFactorOf,
  type TestImage,
  toLvisDetections,
  topKClassNms,
} from './model/inference/index.js';
export {
  absWithSignGradient,
  appendHallucinatedRows,
  applyFcblIncrements,
  classMoments,
  detectionScores,
  disposeFcblIncrements,
  fcblIncrementsFromArrays,
  fcblIncrementsToArrays,
  fcblLoss,
  FcblState,
  FhmState,
  hallucinate,
  JITTER_SIGNS,
  jitterGroundTruthBoxes,
  JITTERS_PER_BOX,
  LossOptionError,
  LossShapeError,
  pairwiseMargins,
  priorBias,
  sampleHallucinationClasses,
  shortTermWeights,
  sigmoidBceLoss,
  softmaxCrossEntropyLoss,
  sumFcblIncrements,
  synthesizeFeatures,
} from './model/losses/index.js';
export { RoiAlignError } from './model/roi-align-error.js';
export { roiAlign, type RoiAlignOptions } from './model/roi-align.js';
export {
  baselineStep,
  BoxHead,
  classifierStep,
  disposeBoxHeadOutputs,
  representationStep,
  roiBoxLoss,
  RoiHeadOptionError,
  RoiHeadShapeError,
  roiTargets,
  type RoiTargets,
  type RoiTrainingImage,
} from './model/roi-head/index.js';
export { roiLevel, roiLevels } from './model/roi-levels.js';
export {
  BACL_TRAIN_PROPOSALS,
  BASELINE_TRAIN_PROPOSALS,
  disposeRpnOutputs,
  RpnHead,
  rpnLoss,
  type RpnOutputs,
  rpnProposals,
  rpnTargets,
  TEST_PROPOSALS,
} from './model/rpn/index.js';
export { freezeForStage, frozenInStage } from './model/trainable-sets.js';
export {
  assignTargets,
  bfloat16ToFloat32,
  fcblSnapshotFromArrays,
  fcblStateArrays,
  fhmSnapshotFromArrays,
  fhmStateArrays,
  flattenedLinearToNhwc,
  float16ToFloat32,
  fromTorchLayout,
  importMmdetStateDict,
  importTorchvisionResNet,
  layoutForRank,
  loadWeights,
  MMDET_FLOAT_DTYPES,
  mmdetIgnoredReason,
  oihwToHwio,
  planMmdetImport,
  readSafetensors,
  readTargets,
  safetensorsFloat32,
  saveWeights,
  torchShape,
  transposeLinear,
  type MmdetTarget,
  type TorchLayout,
  WeightsFormatError,
  WeightsMismatchError,
  WeightsNotFoundError,
} from './model/weights/index.js';
export { DirectoryStorage } from './storage/directory-storage.js';
export {
  chooseBackend,
  describeRuntime,
  initTf,
  installOverrides,
  intraOpThreads,
  nativeInstall,
  replacedKernel,
  sparseRowCombine,
  sparseRowCombineKernelName,
  TfBackendError,
  type TfBackendName,
  TfKernelError,
  type TfRuntime,
} from './tf/index.js';
export * from './checkpoint/index.js';
export type { NamedArray } from './model/weights/index.js';
export { LossDivergedError, RankStateError, RuntimeError } from './runtime/errors.js';
export { SoloCollective } from './runtime/solo-collective.js';
export { GradientLayout, packReport, unpackReport } from './runtime/step-sync.js';
export { modelArrays } from './runtime/stage-state.js';
export { openTrainDataset, stepsPerEpoch, type TrainDataset } from './runtime/train-data.js';
export {
  runStage,
  stageSteps,
  type CheckpointPolicy,
  type StageEvent,
  type StageResult,
  type StageRunOptions,
} from './runtime/train-stage.js';
export { loadPretrainedBackbone, pretrainedHint, pretrainedLocation } from './runtime/pretrained.js';
export {
  runRank,
  type EvaluateRequest,
  type RankRunOptions,
  type RankRunResult,
} from './runtime/run-rank.js';
export {
  EvaluateError,
  EvaluateMergeError,
  EvaluateOptionError,
  EvaluateRankError,
} from './runtime/eval-errors.js';
export { type EvaluateProgress, inferShare, type InferShareOptions } from './runtime/eval-infer.js';
export {
  detectionsJson,
  type ImageDetections,
  mergeRankDetections,
  type RankDetections,
} from './runtime/eval-merge.js';
export { metricsJson, terminationMessageLimit, terminationMetrics } from './runtime/eval-metrics.js';
export { parseRunPrefix, PurgeError, PurgeUsageError, purgeRunPrefix } from './runtime/purge.js';
export {
  type PartChunk,
  parsePart,
  partDir,
  partJson,
  partName,
  partsPrefix,
  shareSizes,
} from './runtime/eval-parts.js';
export {
  checkTestPipeline,
  testSample,
  testTransform,
  type TestTransform,
} from './runtime/eval-transform.js';
export {
  detectionsObjectPath,
  type EvaluateGroup,
  evaluateStage,
  type EvaluateStageOptions,
  type EvaluateStageResult,
  loadValGroundTruth,
} from './runtime/evaluate.js';
export { RankEnvError, type RankEnvProblem } from './runtime/rank-env-error.js';
export {
  type LauncherGroupEnv,
  type PodEnv,
  type RankEnv,
  readGroupVariables,
  readLauncherGroupEnv,
  readPodEnv,
  readRankEnv,
  readS3Env,
  type S3Env,
  workerRole,
} from './runtime/rank-env.js';
export {
  EtaEstimator,
  evalLogLine,
  type LogPosition,
  lvisResultLines,
  type TrainLogEntry,
  trainLogLine,
} from './runtime/log-format.js';
export { pyExp, pyFixed, pyTimedelta } from './runtime/python-format.js';
export {
  exitStatus,
  forwardProcessSignals,
  LaunchError,
  type LaunchOptions,
  type LaunchResult,
  launchRanks,
  rankEnvironment,
  type RankExit,
  type RankGroup,
} from './runtime/launcher.js';
export { PrefixedLines } from './runtime/rank-lines.js';
export { type DeathNotice, rankDeathNotices, rankDeathReason } from './runtime/death-notice.js';
export {
  DEATH_ANNOUNCER_DEFAULTS,
  DeathAnnouncer,
  type DeathAnnouncerOptions,
} from './runtime/death-announcer.js';
export { RankReporter, type RankReporterOptions, type StageSummary } from './runtime/rank-reporter.js';
export {
  ProgressPublisher,
  type ProgressPublisherOptions,
  type StageProgress,
} from './runtime/progress-publisher.js';
export {
  callbackSink,
  discardSink,
  NatsProgressSink,
  openProgressSink,
  ProgressReportError,
  type ProgressSink,
  validReport,
} from './runtime/progress-sink.js';
export { type StepScalars, TrainingBoard } from './runtime/tensorboard.js';
export { isReportMessage, launcherSink, type ReportMessage, watchLauncher } from './runtime/launcher-link.js';
