import { expect } from 'chai';
import { z } from 'zod';
import {
  droppedKeys,
  firstLeaf,
  knownKeys,
  nearestKey,
  stageScheduleSchema,
  trainingConfigSchema,
} from '../../../common/internal.js';

describe('common/config/unknown-keys: keys a schema would drop silently', function () {
  const schema = z.object({
    model: z.object({
      neck: z.object({ out_channels: z.number() }).optional(),
      depth: z.number().default(50),
    }),
    stages: z.array(z.object({ epochs: z.number() })).prefault([]),
    tags: z.record(z.string(), z.string()).optional(),
  });

  it('finds every key the parse dropped, nested and inside lists, and nothing the schema keeps', function () {
    const input = {
      model: { nek: { out_channels: 3 }, depth: 50 },
      stages: [{ epochs: 1 }, { epochs: 2, epoch: 3 }],
      tags: { anything: 'kept' },
      extra: 1,
    };
    expect(droppedKeys(input, schema.parse(input))).to.deep.equal([
      ['model', 'nek'],
      ['stages', 1, 'epoch'],
      ['extra'],
    ]);
    const clean = { model: { depth: 18 }, tags: { a: 'b' } };
    expect(droppedKeys(clean, schema.parse(clean))).to.deep.equal([]);
  });

  it('lists the fields a path allows through defaults, optionals and arrays', function () {
    expect(knownKeys(schema, [])).to.deep.equal(['model', 'stages', 'tags']);
    expect(knownKeys(schema, ['model'])).to.deep.equal(['neck', 'depth']);
    expect(knownKeys(schema, ['stages', 4])).to.deep.equal(['epochs']);
    expect(knownKeys(schema, ['tags'])).to.deep.equal([]);
    expect(knownKeys(trainingConfigSchema, ['schedule', 'representation'])).to.include('lr_steps');
  });

  it('suggests the nearest field within two edits or by prefix, else nothing', function () {
    expect(nearestKey('nek', ['neck', 'backbone'])).to.equal('neck');
    expect(nearestKey('lr_step', ['lr', 'lr_steps', 'gamma'])).to.equal('lr_steps');
    expect(nearestKey('optimiser', ['model', 'schedule'])).to.equal(undefined);
  });

  it('places an unknown mapping at its first value', function () {
    expect(firstLeaf({ model: { nek: { out_channels: 3 } } }, ['model', 'nek'])).to.deep.equal([
      'model',
      'nek',
      'out_channels',
    ]);
    expect(firstLeaf({ a: [5] }, ['a'])).to.deep.equal(['a', 0]);
    expect(firstLeaf({ a: 1 }, ['a'])).to.deep.equal(['a']);
  });
});

describe('common/training-config: lr_steps must fall inside the stage', function () {
  const base = { lr: 0.02, weight_decay: 0 };
  it('accepts steps up to the stage length (a step at the end is the usual "no decay")', function () {
    expect(stageScheduleSchema.parse({ ...base, epochs: 12, lr_steps: [8, 11] }).lr_steps).to.deep.equal([
      8, 11,
    ]);
    expect(stageScheduleSchema.safeParse({ ...base, iterations: 100, lr_steps: [100] }).success).to.equal(
      true,
    );
  });

  it('refuses a step past the end, naming the step, the length and its unit', function () {
    const result = stageScheduleSchema.safeParse({ ...base, epochs: 12, lr_steps: [8, 16, 22] });
    expect(result.success).to.equal(false);
    expect(result.error?.issues.map((issue) => [issue.path, issue.message])).to.deep.equal([
      [
        ['lr_steps', 1],
        'step 16 is past the end of the stage (12 epochs), so the lr would never decay there: use steps up to 12, or lengthen the stage',
      ],
      [
        ['lr_steps', 2],
        'step 22 is past the end of the stage (12 epochs), so the lr would never decay there: use steps up to 12, or lengthen the stage',
      ],
    ]);
  });
});
