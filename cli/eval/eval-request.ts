// What `baclctl eval` is asked to do, from its flags, with every wrong combination refused before any work:
// - a detections file: `--gt <val.json> --results <detections.json>` (the evaluator alone);
// - a checkpoint: `--weights <file.safetensors> --config <name|path> --data <val shards>` [--gt] [--workers N]
//   [--out DIR] (inference by rank processes, then the evaluator; weights-eval.ts).
import { basename } from 'node:path';
import { cliError } from '../errors.js';

export interface EvalFlags {
  gt?: string | undefined;
  results?: string | undefined;
  config?: string | undefined;
  weights?: string | undefined;
  data?: string | undefined;
  workers?: number | undefined;
  out?: string | undefined;
  visualize?: string | undefined;
}

export type EvalRequest =
  | { kind: 'results'; gt: string; results: string }
  | {
      kind: 'weights';
      config: string;
      weights: string;
      data: string;
      gt?: string;
      workers: number;
      out: string;
    };

const RESULTS_EXAMPLE = 'baclctl eval --gt lvis_v1_val.json --results detections.json';
const WEIGHTS_EXAMPLE = 'baclctl eval --config lvis_v1 --weights model.safetensors --data <val shards>';

/** The Python that turns an mmdetection `.pth` into the safetensors file --weights reads (README has it too). */
export const pthConversion =
  'python -c "import torch, safetensors.torch as st; ' +
  "sd = torch.load('model.pth', map_location='cpu')['state_dict']; " +
  "st.save_file({k: v.contiguous() for k, v in sd.items()}, 'model.safetensors')\"";

/** Where a weights evaluation writes by default: bacl-runs/eval-<weights file name without .safetensors>. */
export function defaultEvalOut(weights: string): string {
  return `bacl-runs/eval-${basename(weights).replace(/\.safetensors$/, '') || 'weights'}`;
}

function usage(message: string, tryThis: string): Error {
  return cliError(message, { code: 'USAGE', tryThis });
}

export function evalRequest(flags: EvalFlags): EvalRequest {
  const given = (names: (keyof EvalFlags)[]) => names.filter((name) => flags[name] !== undefined);
  const listed = (names: string[]) => names.map((name) => `--${name}`).join(', ');
  if (flags.results !== undefined) {
    const extra = given(['weights', 'config', 'data', 'workers', 'out']);
    if (extra.length > 0) {
      throw usage(
        `--results evaluates a detections file; ${listed(extra)} belong${extra.length === 1 ? 's' : ''} to ` +
          'evaluating --weights',
        `${RESULTS_EXAMPLE}, or ${WEIGHTS_EXAMPLE}`,
      );
    }
    if (flags.gt === undefined) {
      throw usage('--results needs --gt, the ground truth to score it against', RESULTS_EXAMPLE);
    }
    return { kind: 'results', gt: flags.gt, results: flags.results };
  }
  if (flags.weights === undefined) {
    const orphans = given(['config', 'data', 'workers', 'out']);
    throw usage(
      orphans.length > 0
        ? `${listed(orphans)} ${orphans.length === 1 ? 'is' : 'are'} for evaluating --weights, which is missing`
        : 'nothing to evaluate: give --results (a detections file) or --weights (a checkpoint)',
      `${RESULTS_EXAMPLE}, or ${WEIGHTS_EXAMPLE}`,
    );
  }
  const missing = (['config', 'data'] as const).filter((name) => flags[name] === undefined);
  if (missing.length > 0) {
    throw usage(
      `--weights needs ${listed([...missing])}: the config the checkpoint was trained with and the val shards`,
      WEIGHTS_EXAMPLE,
    );
  }
  if (!flags.weights.endsWith('.safetensors')) {
    throw usage(
      `--weights ${flags.weights} is not a .safetensors file: bacl reads mmdetection checkpoints as safetensors ` +
        '(no pickle)',
      `convert it once: ${pthConversion}`,
    );
  }
  if (flags.visualize !== undefined) {
    throw usage(
      '--visualize draws a detections file: evaluate --weights first, then visualize what it wrote',
      `${WEIGHTS_EXAMPLE} --out run, then baclctl eval --gt <val.json> --results run/eval/detections.json ` +
        `--visualize ${flags.visualize}`,
    );
  }
  const workers = flags.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) {
    throw usage(`--workers ${workers} is not a whole number of at least 1`, `${WEIGHTS_EXAMPLE} --workers 2`);
  }
  return {
    kind: 'weights',
    config: flags.config!,
    weights: flags.weights,
    data: flags.data!,
    ...(flags.gt === undefined ? {} : { gt: flags.gt }),
    workers,
    out: flags.out ?? defaultEvalOut(flags.weights),
  };
}
