// The conv shapes both backprop kernel overrides are checked on: every kernel size and stride the detector uses
// and more, 'same' and 'valid', odd sizes, numeric paddings (the ResNet's convs and stem), an explicit padding and
// the 1x1 fast path.
import type * as tf from '@tensorflow/tfjs';

export type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
export interface ConvCase {
  xShape: [number, number, number, number];
  kernel: number;
  stride: number;
  pad: Pad;
}

// Odd sizes so that 'valid' leaves unread rows/columns and 'same' pads asymmetrically.
export const convCases: ConvCase[] = [1, 2, 3, 5].flatMap((kernel) =>
  [1, 2, 3].flatMap((stride) =>
    (['same', 'valid'] as const).map((pad): ConvCase => ({ xShape: [2, 9, 11, 3], kernel, stride, pad })),
  ),
);
convCases.push({
  xShape: [1, 8, 7, 2],
  kernel: 3,
  stride: 2,
  pad: [
    [0, 0],
    [2, 0],
    [1, 3],
    [0, 0],
  ],
});
convCases.push({ xShape: [3, 5, 6, 4], kernel: 1, stride: 1, pad: 'valid' });
convCases.push({ xShape: [2, 9, 11, 3], kernel: 3, stride: 1, pad: 1 });
convCases.push({ xShape: [2, 9, 11, 3], kernel: 3, stride: 2, pad: 1 });
convCases.push({ xShape: [1, 15, 13, 3], kernel: 7, stride: 2, pad: 3 });

export function describeCase(c: ConvCase): string {
  const pad = typeof c.pad === 'object' ? 'explicit' : typeof c.pad === 'number' ? `pad ${c.pad}` : c.pad;
  return `x ${c.xShape.join('x')} k${c.kernel} s${c.stride} ${pad}`;
}
