import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { packageRoot } from '../../../common/index.js';
import { BaclCommand } from '../../base-command.js';
import { cliError } from '../../errors.js';

export default class BackendInstall extends BaclCommand {
  static override summary =
    'Build and link the native TensorFlow backend (tfjs-node on the PyPI TensorFlow wheel).';
  static override description =
    'Runs scripts/tf-native.sh: installs tensorflow-cpu (or tensorflow[and-cuda] with --gpu) 2.21.0 into a venv ' +
    'under ~/.cache/bacl/tf/, builds @tensorflow/tfjs-node against its C API with node-gyp and links it into ' +
    'node_modules, then loads it. The first run downloads ~250 MB (CPU) and builds for 1-2 minutes; later runs, ' +
    'and runs after `npm ci` (which removes the link), take seconds. Needs g++, make and python3-venv.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --gpu',
  ];

  static override flags = {
    gpu: Flags.boolean({
      default: false,
      description:
        'link against tensorflow[and-cuda] (CUDA 12, cuDNN 9; needs an NVIDIA driver for CUDA >= 12.5)',
    }),
  };

  async run(): Promise<{ variant: 'cpu' | 'gpu'; ready: string }> {
    const { flags } = await this.parse(BackendInstall);
    const script = join(packageRoot(), 'scripts', 'tf-native.sh');
    const child = spawn('bash', [script, ...(flags.gpu ? ['--gpu'] : [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: this.interrupted,
    });
    let last = '';
    const forward = (chunk: Buffer) => {
      const text = chunk.toString();
      last = text.trimEnd().split('\n').at(-1) ?? last;
      process.stderr.write(text);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) {
      throw cliError(
        `${script} failed (exit ${code ?? 'signal'}): ${last.replace(/^\[tf-native\] (error: )?/, '')}`,
        {
          code: 'INSTALL_FAILED',
          tryThis: 'install what the line above names, then run `baclctl backend install` again',
        },
      );
    }
    return { variant: flags.gpu ? 'gpu' : 'cpu', ready: last.replace(/^\[tf-native\] /, '') };
  }
}
