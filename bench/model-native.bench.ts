// The native backend (tfjs-node over TensorFlow 2.21, issue #12) against wasm and against PyTorch on CPU, per
// image: the tiny detector (tiny.yaml, 2 x 128²) and the R50-FPN detector (lvis_v1.yaml) fwd+bwd at 320², and
// R50-FPN fwd+bwd at 800x1344 (800x1333 padded to 32; one measured step; wasm cannot: 4 GiB heap) on native and
// PyTorch only. Native runs with 1 and 2 intra-op threads; PyTorch (torchvision's fasterrcnn_resnet50_fpn set up
// like mmdet: FrozenBN, 3 trainable stages, 1204 classes, RoIAlign sampling_ratio 0, random weights, same image
// size and batch) with the same thread counts. Each (backend, threads, case) runs in its own process, so peak RSS
// is that case's. Medians after a warm-up step. Needs scripts/tf-native.sh (native) and
// `scripts/oracles.sh --bench` (PyTorch); what is missing is skipped with a line saying so.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeInstall } from '../worker/internal.js';
import type { Benchmark, BenchFigure } from './benchmark.js';

interface Measured {
  msPerImage: number;
  peakRssMb: number;
  runtime: string;
}

interface Run {
  label: string;
  kind: 'wasm' | 'tensorflow' | 'torch';
  threads: number;
}

interface Case {
  key: string;
  config: string;
  input: [number, number, number];
  repeats: number;
  kinds: Run['kind'][];
}

const cases: Case[] = [
  { key: 'tiny 2x128²', config: 'tiny', input: [2, 128, 128], repeats: 5, kinds: ['wasm', 'tensorflow'] },
  {
    key: 'R50-FPN 320²',
    config: 'lvis_v1',
    input: [1, 320, 320],
    repeats: 3,
    kinds: ['wasm', 'tensorflow', 'torch'],
  },
  {
    key: 'R50-FPN 800x1344',
    config: 'lvis_v1',
    input: [1, 800, 1344],
    repeats: 1,
    kinds: ['tensorflow', 'torch'],
  },
];

const runs: Run[] = [
  { label: 'wasm', kind: 'wasm', threads: 1 },
  { label: 'native 1 thread', kind: 'tensorflow', threads: 1 },
  { label: 'native 2 threads', kind: 'tensorflow', threads: 2 },
  { label: 'PyTorch 1 thread', kind: 'torch', threads: 1 },
  { label: 'PyTorch 2 threads', kind: 'torch', threads: 2 },
];

const here = fileURLToPath(new URL('.', import.meta.url));

function torchPython(): string | undefined {
  const cache = process.env['BACL_CACHE_DIR'] ?? join(homedir(), '.cache', 'bacl');
  const manifest = join(cache, 'oracles', 'torch', 'manifest.json');
  if (!existsSync(manifest)) return undefined;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { python: string }).python;
}

function measure(run: Run, c: Case, signal: AbortSignal, python: string | undefined): Promise<Measured> {
  const request = {
    input: c.input,
    repeats: c.repeats,
    threads: run.threads,
    config: c.config,
    backend: run.kind,
  };
  const [command, args] =
    run.kind === 'torch'
      ? [python ?? 'python3', [join(here, 'native', 'torch_frcnn.py'), JSON.stringify(request)]]
      : [
          process.execPath,
          ['--import', 'tsx', join(here, 'native', 'detector-step.ts'), JSON.stringify(request)],
        ];
  const env = { ...process.env, TF_NUM_INTRAOP_THREADS: String(run.threads), TF_CPP_MIN_LOG_LEVEL: '2' };
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, signal, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as Measured);
      else
        reject(
          new Error(`${run.label} ${c.key} exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`),
        );
    });
  });
}

const benchmark: Benchmark = {
  title: 'native TensorFlow backend vs wasm vs PyTorch CPU: detector fwd+bwd per image, peak RSS per process',
  async run({ signal, log }) {
    const native = nativeInstall();
    const python = torchPython();
    if (!native.installed) log(`native backend skipped: ${native.reason} (bash scripts/tf-native.sh)`);
    if (python === undefined) log('PyTorch skipped: not installed (bash scripts/oracles.sh --bench)');
    const results = new Map<string, Measured>();
    for (const c of cases) {
      for (const run of runs) {
        if (!c.kinds.includes(run.kind)) continue;
        if (run.kind === 'tensorflow' && !native.installed) continue;
        if (run.kind === 'torch' && python === undefined) continue;
        const measured = await measure(run, c, signal, python);
        results.set(`${c.key} ${run.label}`, measured);
        log(
          `${c.key} ${run.label}: ${measured.msPerImage.toFixed(0)} ms, ${measured.peakRssMb.toFixed(0)} MB (${measured.runtime})`,
        );
      }
    }
    const figures: BenchFigure[] = [];
    for (const c of cases) {
      for (const run of runs) {
        const m = results.get(`${c.key} ${run.label}`);
        if (m === undefined) continue;
        const figure: BenchFigure = {
          name: `${c.key} fwd+bwd, ${run.label}`,
          value: m.msPerImage,
          unit: 'ms/image',
        };
        const wasm = results.get(`${c.key} wasm`);
        const torch = results.get(`${c.key} PyTorch ${run.threads === 1 ? '1 thread' : '2 threads'}`);
        if (run.kind === 'tensorflow' && wasm !== undefined) {
          figure.ratio = { value: wasm.msPerImage / m.msPerImage, against: 'speed-up over wasm' };
        } else if (run.kind === 'tensorflow' && torch !== undefined) {
          figure.ratio = {
            value: torch.msPerImage / m.msPerImage,
            against: `speed-up over ${torch.runtime}`,
          };
        }
        figures.push(figure);
        if (run.kind === 'tensorflow' && wasm !== undefined && torch !== undefined) {
          figures.push({
            name: `${c.key} fwd+bwd, ${run.label} vs PyTorch`,
            value: m.msPerImage,
            unit: 'ms/image',
            ratio: { value: torch.msPerImage / m.msPerImage, against: `speed-up over PyTorch, same threads` },
          });
        }
        figures.push({ name: `${c.key} peak RSS, ${run.label}`, value: m.peakRssMb, unit: 'MB' });
      }
    }
    return figures;
  },
};

export default benchmark;
