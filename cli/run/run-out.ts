// The `--out` directory of `baclctl run` (issue #13 point 7): config.yaml (the effective config),
// checkpoints/<stage>/..., eval/, tb/, logs/. A rerun with the same --out resumes from its checkpoints when its
// config.yaml holds the same effective config; another config there is refused (rather than mixing two runs'
// checkpoints) unless --fresh, which clears the run's outputs first.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { configDigest, loadTrainingConfig, type TrainingConfig } from '../../common/index.js';
import { cliError } from '../errors.js';

export const runOutputs = ['checkpoints', 'eval', 'tb', 'logs'] as const;

export interface PreparedOut {
  dir: string;
  configFile: string;
  /** Stages with a checkpoint already (a resumed run), for the log. */
  resumable: string[];
}

export async function prepareOut(dir: string, config: TrainingConfig, fresh: boolean): Promise<PreparedOut> {
  const configFile = join(dir, 'config.yaml');
  if (fresh) {
    await Promise.all(runOutputs.map((name) => rm(join(dir, name), { recursive: true, force: true })));
  } else if (existsSync(configFile)) {
    let previous: TrainingConfig | undefined;
    try {
      previous = loadTrainingConfig(configFile).config;
    } catch {
      previous = undefined;
    }
    if (previous === undefined || configDigest(previous) !== configDigest(config)) {
      throw cliError(`${dir} holds a run of another config (${configFile} differs from this one)`, {
        code: 'ALREADY_EXISTS',
        tryThis: `add --fresh to start over in ${dir}, or choose another --out`,
      });
    }
  }
  await mkdir(join(dir, 'logs'), { recursive: true });
  await writeFile(
    configFile,
    `# The effective config of this run (baclctl run); a rerun with the same --out resumes it.\n${stringify(config)}`,
  );
  const resumable: string[] = [];
  for (const stage of config.stages) {
    if (existsSync(join(dir, 'checkpoints', stage, 'latest.json'))) resumable.push(stage);
  }
  return { dir, configFile, resumable };
}

/** Reads a JSON file the run wrote, or undefined when it is not there. */
export async function readRunJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
