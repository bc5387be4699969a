// One child process of bench/model-native.bench.ts: starts one backend (TF_NUM_INTRAOP_THREADS comes from the
// environment, since TensorFlow reads it once at load), times one detector case and prints one JSON line with
// the median ms per image and this process's peak RSS. A process per case, so that peak memory is the case's own.
//   node --import tsx bench/native/detector-step.ts '{"backend":"tensorflow","config":"lvis_v1","input":[1,320,320],"repeats":3}'
import { loadTrainingConfig } from '../../common/internal.js';
import { Detector, describeRuntime, initTf, type TfBackendName } from '../../worker/internal.js';
import { detectorBatch, detectorStep, timeSteps, type DetectorCase } from '../model.bench.js';

interface StepRequest {
  backend: TfBackendName;
  config: string;
  input: [number, number, number];
  repeats: number;
}

const request = JSON.parse(process.argv[2] ?? '{}') as StepRequest;
const signal = new AbortController().signal;
const runtime = await initTf({ backend: request.backend, signal });
const config = loadTrainingConfig(request.config).config;
const detector = new Detector({ ...config, classifier: 'sigmoid' });
const input = detectorBatch(request.input);
const c: DetectorCase = {
  key: request.config,
  config: request.config,
  input: request.input,
  train: true,
  repeats: { [request.backend]: request.repeats },
};
const ms = timeSteps(detectorStep(detector, config, c, input), signal, request.repeats) / request.input[0];
console.log(
  JSON.stringify({
    msPerImage: ms,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    runtime: describeRuntime(runtime),
  }),
);
