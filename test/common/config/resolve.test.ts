import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { z } from 'zod';
import {
  ConfigError,
  ConfigValidationError,
  formatOrigin,
  resolveConfig,
  validateConfig,
  type ResolvedConfig,
} from '../../../common/internal.js';

describe('common/config: resolveConfig', function () {
  let dir: string;

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'bacl-config-'));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes files (path -> YAML) under the temp configs dir. */
  function files(tree: Record<string, string>): void {
    for (const [path, text] of Object.entries(tree)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  }
  const resolve = (name: string, sets: string[] = []): ResolvedConfig =>
    resolveConfig(name, { configDir: dir, sets });
  const failure = (run: () => unknown): ConfigError => {
    try {
      run();
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  it('merges a base: the child wins key by key, mappings merge deeply, lists are replaced', function () {
    files({
      '_base_/model.yaml':
        'model:\n  depth: 50\n  neck: {channels: 256, levels: [2, 3, 4, 5, 6]}\n  frozen: [stem]\n',
      'child.yaml': '_base_: _base_/model.yaml\nmodel:\n  depth: 101\n  neck: {levels: [3, 4]}\n',
    });
    expect(resolve('child').config).to.deep.equal({
      model: { depth: 101, neck: { channels: 256, levels: [3, 4] }, frozen: ['stem'] },
    });
  });

  it('honours _delete_: the child mapping replaces the base mapping whole, and the marker disappears', function () {
    files({
      'base.yaml': 'optimizer: {type: SGD, lr: 0.02, momentum: 0.9, nested: {a: 1}}\n',
      'child.yaml':
        '_base_: base.yaml\noptimizer: {_delete_: true, type: AdamW, lr: 0.0001, nested: {_delete_: true, b: 2}}\n',
    });
    expect(resolve('child').config).to.deep.equal({
      optimizer: { type: 'AdamW', lr: 0.0001, nested: { b: 2 } },
    });
  });

  it('inherits through several levels and several bases, bases first, in order', function () {
    files({
      '_base_/schedule.yaml': 'schedule: {epochs: 12}\n',
      '_base_/data.yaml': 'data: {name: lvis_v1}\n',
      'middle.yaml': '_base_: [_base_/schedule.yaml, _base_/data.yaml]\nschedule: {epochs: 24}\n',
      'top.yaml': '_base_: middle.yaml\ndata: {name: tiny}\n',
    });
    const resolved = resolve('top');
    expect(resolved.config).to.deep.equal({ schedule: { epochs: 24 }, data: { name: 'tiny' } });
    expect(resolved.files.map((file) => file.slice(dir.length + 1))).to.deep.equal([
      '_base_/schedule.yaml',
      '_base_/data.yaml',
      'middle.yaml',
      'top.yaml',
    ]);
  });

  it('refuses two sibling bases that define the same top-level key', function () {
    files({ 'a.yaml': 'x: 1\n', 'b.yaml': 'x: 2\n', 'c.yaml': '_base_: [a.yaml, b.yaml]\n' });
    const error = failure(() => resolve('c'));
    expect(error.message).to.contain('"x" is defined by two _base_ files');
    expect(error.field).to.equal('x');
  });

  it('detects inheritance cycles and names the chain', function () {
    files({ 'a.yaml': '_base_: b.yaml\n', 'b.yaml': '_base_: a.yaml\n', 'self.yaml': '_base_: self.yaml\n' });
    expect(failure(() => resolve('a')).message).to.match(
      /_base_ inheritance loops: .*a\.yaml -> .*b\.yaml -> .*a\.yaml/,
    );
    expect(failure(() => resolve('self')).message).to.contain('_base_ inheritance loops');
  });

  it('names a missing base file with the place that asked for it', function () {
    files({ 'a.yaml': 'x: 1\n_base_: [nope.yaml]\n' });
    const error = failure(() => resolve('a'));
    expect(error.message).to.contain('nope.yaml does not exist');
    expect(formatOrigin(error.origin)).to.equal(`${join(dir, 'a.yaml')}:2:10`);
  });

  it('lists the known configs when a name is unknown', function () {
    files({ 'lvis_v1.yaml': 'a: 1\n', 'tiny.yaml': 'a: 2\n', '_base_/x.yaml': 'a: 3\n' });
    const error = failure(() => resolve('lvis'));
    expect(error.message).to.contain(`no config named "lvis" in ${dir}`);
    expect(error.hint).to.equal('one of: lvis_v1, tiny; or a path to a .yaml file');
  });

  it('points a YAML syntax error at file:line:column', function () {
    files({ 'broken.yaml': 'model:\n  depth: [50\nneck: x\n' });
    const error = failure(() => resolve('broken'));
    expect(error.message).to.match(/broken\.yaml:\d+:\d+ invalid YAML/);
    expect(error.origin?.line).to.be.greaterThan(1);
  });

  describe('--set overrides', function () {
    beforeEach(function () {
      files({
        'c.yaml': 'model: {depth: 50, name: r50}\nstages: [{epochs: 12}, {epochs: 2}]\nflag: false\n',
      });
    });

    const cases: { set: string; expect: (config: Record<string, unknown>) => unknown; equals: unknown }[] = [
      { set: 'model.depth=101', expect: (c) => (c.model as { depth: unknown }).depth, equals: 101 },
      { set: "model.name='101'", expect: (c) => (c.model as { name: unknown }).name, equals: '101' },
      { set: 'flag=true', expect: (c) => c.flag, equals: true },
      { set: 'stages.1.epochs=4', expect: (c) => c.stages, equals: [{ epochs: 12 }, { epochs: 4 }] },
      {
        set: 'model.neck.channels=128',
        expect: (c) => (c.model as { neck: unknown }).neck,
        equals: { channels: 128 },
      },
      { set: 'stages=[{epochs: 1}]', expect: (c) => c.stages, equals: [{ epochs: 1 }] },
      { set: 'model.name=', expect: (c) => (c.model as { name: unknown }).name, equals: null },
    ];
    for (const testCase of cases) {
      it(`applies ${testCase.set}`, function () {
        expect(testCase.expect(resolve('c', [testCase.set]).config)).to.deep.equal(testCase.equals);
      });
    }

    const refusals: { set: string; message: string }[] = [
      { set: 'model.depth', message: 'an override needs the form path=value' },
      { set: '=3', message: 'an override needs the form path=value' },
      { set: 'model..depth=3', message: 'is not a field path' },
      { set: 'stages.5.epochs=3', message: 'index 5 is past the end of a list of 2' },
      { set: 'model.depth.x=3', message: 'cannot set a field inside a plain value' },
      { set: 'model.depth=[1, 2', message: 'the value is not valid YAML' },
    ];
    for (const refusal of refusals) {
      it(`refuses ${refusal.set} and names the override`, function () {
        const error = failure(() => resolve('c', [refusal.set]));
        expect(error.message).to.contain(refusal.message);
        expect(error.origin?.file).to.equal(`--set ${refusal.set}`);
      });
    }
  });

  describe('origins and validation', function () {
    const schema = z.strictObject({
      model: z.strictObject({
        depth: z.union([z.literal(50), z.literal(101)]),
        channels: z.number().int().positive(),
      }),
      schedule: z.strictObject({ epochs: z.number().int().min(1) }),
    });

    beforeEach(function () {
      files({
        '_base_/model.yaml': 'model:\n  depth: 50\n  channels: 256\n',
        'job.yaml': '_base_: _base_/model.yaml\nschedule:\n  epochs: 0\nmodel:\n  channels: -1\n',
      });
    });

    it('knows which file, line and column set each field', function () {
      const resolved = resolve('job', ['schedule.epochs=3']);
      expect(formatOrigin(resolved.originOf(['model', 'depth']))).to.equal(
        `${join(dir, '_base_/model.yaml')}:2:3`,
      );
      expect(formatOrigin(resolved.originOf(['model', 'channels']))).to.equal(`${join(dir, 'job.yaml')}:5:3`);
      expect(formatOrigin(resolved.originOf(['schedule', 'epochs']))).to.equal('--set schedule.epochs=3');
    });

    it('reports every schema problem with file:line:column and the field path', function () {
      let error: unknown;
      try {
        validateConfig(resolve('job', ['model.depth=34']), schema);
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(ConfigValidationError);
      const problems = (error as ConfigValidationError).problems.map((problem) => problem.message);
      expect(problems).to.have.length(3);
      expect(problems).to.include.members([
        `${join(dir, 'job.yaml')}:3:3 schedule.epochs: Too small: expected number to be >=1`,
        `${join(dir, 'job.yaml')}:5:3 model.channels: Too small: expected number to be >0`,
      ]);
      expect(problems.find((problem) => problem.includes('model.depth'))).to.match(
        /^--set model\.depth=34 model\.depth: /,
      );
    });

    it('returns the parsed config when it is valid', function () {
      const valid = validateConfig(resolve('job', ['schedule.epochs=2', 'model.channels=64']), schema);
      expect(valid).to.deep.equal({ model: { depth: 50, channels: 64 }, schedule: { epochs: 2 } });
    });
  });
});
