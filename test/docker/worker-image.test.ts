// Dockerfile.worker, read as text (no image is built in tests): it must install the native backend with the
// script CI runs, ship only the runtime, and run the worker as a non-root user.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dockerfile = readFileSync(`${root}/Dockerfile.worker`, 'utf8');
const ci = readFileSync(`${root}/.ci/run`, 'utf8');

/** The instructions of each stage (continuation lines joined, comments dropped), by stage name. */
function stages(text: string): Map<string, string[]> {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const result = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      current = [line];
      result.set(from[2] ?? from[1] ?? '', current);
    } else current.push(line);
  }
  return result;
}

describe('Dockerfile.worker', () => {
  const byStage = stages(dockerfile);
  const build = byStage.get('build') ?? [];
  const runtime = byStage.get('runtime') ?? [];

  it('builds the native backend with scripts/tf-native.sh, the script CI runs after npm ci', () => {
    expect(ci).to.match(/\nbash scripts\/tf-native\.sh\n/);
    const run = build.find((line) => line.startsWith('RUN') && line.includes('scripts/tf-native.sh'));
    expect(run).to.match(
      /^RUN bash scripts\/tf-native\.sh --vendor \$\(\[ "\$VARIANT" = gpu \] && echo --gpu\)/,
    );
    // After npm ci (which would remove the link), and with the toolchain the script asks for.
    expect(build.findIndex((line) => line.startsWith('RUN npm ci'))).to.be.below(build.indexOf(run ?? ''));
    expect(build.join('\n')).to.match(/apt-get install .*g\+\+ make python3 python3-venv/);
  });

  it('defaults to the GPU build and takes VARIANT=cpu as a build arg', () => {
    expect(dockerfile).to.match(/^ARG VARIANT=gpu$/m);
    expect(build).to.include('ARG VARIANT');
  });

  it('ships only the run-time pieces: Node 22, the app, node_modules with the vendored libraries; no CUDA base', () => {
    expect(runtime[0]).to.match(/^FROM node:22\.\d+\.\d+-bookworm-slim AS runtime$/);
    expect(build[0]).to.match(/^FROM node:22\.\d+\.\d+-bookworm AS build$/);
    const copies = runtime.filter((line) => line.startsWith('COPY'));
    expect(copies).to.include('COPY --from=build /src/node_modules ./node_modules');
    expect(copies.join('\n')).to.not.match(/\.cache|venv|include/);
    expect(runtime.join('\n')).to.not.match(/apt-get|g\+\+|python/);
    expect(runtime.join(' ')).to.match(/BACL_TF_BACKEND=tensorflow/);
  });

  it('runs bacl-worker as a non-root numeric user', () => {
    expect(runtime.at(-1)).to.equal('ENTRYPOINT ["node", "/opt/bacl/bin/bacl-worker.js"]');
    const user = runtime.find((line) => line.startsWith('USER '));
    expect(user).to.equal('USER 65532:65532');
    expect(runtime.indexOf(user ?? '')).to.be.above(runtime.findLastIndex((line) => line.startsWith('RUN ')));
  });
});
