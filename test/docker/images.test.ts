// Both images, read as text (no Docker here): pinned bases, a numeric non-root user, an exec-form entrypoint,
// hadolint clean (scripts/hadolint.sh), and built by scripts/build-images.sh under the names the chart and
// `baclctl submit` use.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { parse } from 'yaml';
import { packageRoot } from '../../common/index.js';
import { makeWorkDir } from '../harness/index.js';

const run = promisify(execFile);
const root = packageRoot();
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const images = {
  'Dockerfile.operator': { entrypoint: 'bin/bacl-operator.js', repository: 'ghcr.io/bacl/operator' },
  'Dockerfile.worker': { entrypoint: 'bin/bacl-worker.js', repository: 'ghcr.io/bacl/worker' },
} as const;

/** Instructions (continuations joined, comments and blanks dropped). */
const instructions = (text: string) =>
  text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

/** Runs scripts/hadolint.sh on the files; never throws on a non-zero exit. */
async function hadolint(files: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('bash', [join(root, 'scripts/hadolint.sh'), ...files], {
      cwd: root,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      output: `${failed.stdout}${failed.stderr}`,
    };
  }
}

describe('the images (Dockerfile.operator, Dockerfile.worker)', function () {
  this.timeout(300_000); // the first run installs hadolint into ~/.cache/bacl

  for (const [file, image] of Object.entries(images)) {
    describe(file, function () {
      const lines = instructions(read(file));
      const stages = lines.filter((line) => line.startsWith('FROM '));
      const final = lines.slice(lines.lastIndexOf(stages.at(-1) ?? ''));

      it("pins every base image to the Node of package.json's devDependencies", function () {
        const node = (JSON.parse(read('package.json')) as { devDependencies: { node: string } })
          .devDependencies.node;
        expect(stages).to.have.length.above(0);
        for (const from of stages) {
          const [, base = ''] = /^FROM\s+(\S+)/.exec(from) ?? [];
          // A tag with the full Node version (node:22.23.3-bookworm), or a digest; never a moving tag.
          expect(base, from).to.match(
            new RegExp(`^node:${node.replaceAll('.', '\\.')}-[a-z-]+$|@sha256:[0-9a-f]{64}$`),
          );
        }
      });

      it('runs as a numeric non-root user, from an exec-form entrypoint that exists', function () {
        const users = final.filter((line) => line.startsWith('USER '));
        expect(users).to.have.length(1);
        const [, uid = '0'] = /^USER (\d+)(?::\d+)?$/.exec(users[0] ?? '') ?? [];
        expect(Number(uid), users[0]).to.be.above(0);
        expect(final.indexOf(users[0] ?? '')).to.be.above(
          final.findLastIndex((line) => line.startsWith('RUN ')),
        );
        const entrypoint = final.filter((line) => line.startsWith('ENTRYPOINT '));
        expect(entrypoint).to.deep.equal([`ENTRYPOINT ["node", "/opt/bacl/${image.entrypoint}"]`]);
        expect(() => read(image.entrypoint)).to.not.throw();
        // The chart's Deployment runs `bacl-operator`: both images have it on PATH.
        expect(
          final.some((line) => line.startsWith('RUN ') && line.includes(' /usr/local/bin/bacl-operator')),
        ).to.equal(true);
      });

      it('copies only paths that exist in the repository', function () {
        for (const copy of lines.filter((line) => line.startsWith('COPY ') && !line.includes('--from='))) {
          const sources = copy.split(/\s+/).slice(1, -1);
          for (const source of sources) expect(existsSync(join(root, source)), copy).to.equal(true);
        }
      });
    });
  }

  it('hadolint finds nothing, and does flag a bad Dockerfile (so it really ran)', async function () {
    const clean = await hadolint(Object.keys(images));
    expect(clean.code, clean.output).to.equal(0);
    const bad = join(makeWorkDir('hadolint'), 'Dockerfile');
    writeFileSync(bad, 'FROM ubuntu:latest\nRUN cd /tmp && apt-get install curl\n');
    const flagged = await hadolint([bad]);
    expect(flagged.code).to.not.equal(0);
    expect(flagged.output).to.contain('DL3007'); // "Using latest is prone to errors"
  });

  it('scripts/build-images.sh builds both, named as the chart and baclctl submit expect', async function () {
    const script = read('scripts/build-images.sh');
    for (const file of Object.keys(images))
      expect(script).to.match(new RegExp(`^build ${file.replace('.', '\\.')} `, 'm'));
    expect(script).to.contain('"$registry/operator:$tag"');
    expect(script).to.contain('"$registry/worker:$worker_tag" --build-arg "VARIANT=$variant"');
    expect(script).to.match(/^registry=ghcr\.io\/bacl$/m);
    await run('bash', ['-n', join(root, 'scripts/build-images.sh')]);
    const values = parse(read('charts/bacl-operator/values.yaml')) as {
      image: { repository: string };
      workerDefaults: { image: { repository: string } };
    };
    expect(values.image.repository).to.equal(images['Dockerfile.operator'].repository);
    expect(values.workerDefaults.image.repository).to.equal(images['Dockerfile.worker'].repository);
    expect(read('cli/submit/defaults.ts')).to.contain('`ghcr.io/bacl/worker:${packageVersion()}`');
    const refused = await run('bash', [join(root, 'scripts/build-images.sh'), '--bogus']).then(
      () => 'exit 0',
      (error: Error & { stderr?: string }) => error.stderr ?? '',
    );
    expect(refused).to.contain("unknown argument '--bogus'");
  });
});
