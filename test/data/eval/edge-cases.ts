// The spec's edge cases (lvis-eval.md §6) as ground-truth/detection pairs. No expected numbers here: the
// oracle test runs each through the official lvis package and compares.
import {
  annotation,
  category,
  detection,
  image,
  microCategories,
  type TestDetection,
  type TestGroundTruth,
} from './builders.js';

export interface EvalCase {
  name: string;
  gt: TestGroundTruth;
  results: TestDetection[];
  imageIds?: number[];
}

const B = [10, 10, 20, 20];

function gt(images: TestGroundTruth['images'], annotations: TestGroundTruth['annotations']): TestGroundTruth {
  return { images, annotations, categories: microCategories() };
}

/** `count` detections on `categoryId` with the given score, boxes spread over the image. */
function filler(imageId: number, categoryId: number, count: number, score: number): TestDetection[] {
  return Array.from({ length: count }, (_, i) =>
    detection(imageId, categoryId, [i % 50, 200 + (i % 7), 5, 5], score),
  );
}

export const edgeCases: EvalCase[] = [
  {
    name: '1 one perfect detection',
    gt: gt([image(1)], [annotation(1, 1, 1, B)]),
    results: [detection(1, 1, B, 0.9)],
  },
  {
    name: '2 empty results (bacl: no detections)',
    gt: gt([image(1)], [annotation(1, 1, 1, B)]),
    results: [],
  },
  {
    name: '5 detection on a category in neither pos nor neg is dropped',
    gt: gt([image(1)], [annotation(1, 1, 1, B)]),
    results: [detection(1, 1, B, 0.9), detection(1, 2, [50, 50, 10, 10], 0.95)],
  },
  {
    name: '6 false positive on a category seen only in neg lists',
    gt: gt([image(1, [2])], [annotation(1, 1, 1, B)]),
    results: [detection(1, 1, B, 0.9), detection(1, 2, [50, 50, 10, 10], 0.95)],
  },
  {
    name: '7 false positive in image A (negative) for a category with gt in image B',
    gt: gt([image(1, [2]), image(2)], [annotation(1, 1, 1, B), annotation(2, 2, 2, B)]),
    results: [detection(1, 1, B, 0.9), detection(2, 2, B, 0.8), detection(1, 2, [50, 50, 10, 10], 0.95)],
  },
  {
    name: '8 unmatched detection on a not-exhaustive category is ignored',
    gt: gt([image(1, [], [1])], [annotation(1, 1, 1, B)]),
    results: [detection(1, 1, [100, 100, 30, 30], 0.95), detection(1, 1, B, 0.9)],
  },
  {
    name: '8b same detections without the not-exhaustive flag',
    gt: gt([image(1)], [annotation(1, 1, 1, B)]),
    results: [detection(1, 1, [100, 100, 30, 30], 0.95), detection(1, 1, B, 0.9)],
  },
  {
    name: '9 category with gt but no detections',
    gt: gt([image(1)], [annotation(1, 1, 1, B), annotation(2, 1, 2, [100, 100, 40, 40])]),
    results: [detection(1, 1, B, 0.9)],
  },
  {
    name: '10 image with no gt and no negatives contributes nothing',
    gt: gt([image(1), image(2)], [annotation(1, 1, 1, B)]),
    results: [detection(1, 1, B, 0.9), ...filler(2, 1, 20, 0.99)],
  },
  {
    name: '11 no ground truth at all',
    gt: gt([image(1, [1, 2])], []),
    results: [detection(1, 1, B, 0.9), detection(1, 2, B, 0.8)],
  },
  {
    name: '12 zero-area gt is removed, not a miss',
    gt: gt([image(1)], [annotation(1, 1, 1, B), annotation(2, 1, 1, [100, 100, 10, 10], { area: 0 })]),
    results: [detection(1, 1, B, 0.9)],
  },
  {
    name: '13 zero-width and zero-height detections are removed',
    gt: gt([image(1)], [annotation(1, 1, 1, B), annotation(2, 1, 3, [40, 40, 10, 10])]),
    results: [
      detection(1, 1, [10, 10, 0, 20], 0.99),
      detection(1, 1, B, 0.5),
      detection(1, 3, [40, 40, 10, 0], 0.9),
    ],
  },
  {
    name: '14 gt with ignore: 1',
    gt: gt([image(1)], [annotation(1, 1, 1, B), annotation(2, 1, 1, [100, 100, 30, 30], { ignore: 1 })]),
    results: [detection(1, 1, B, 0.9), detection(1, 1, [100, 100, 30, 30], 0.95)],
  },
  {
    name: '15 iscrowd: 1 is not special',
    gt: gt([image(1)], [annotation(1, 1, 1, B), annotation(2, 1, 1, [100, 100, 30, 30], { iscrowd: 1 })]),
    results: [detection(1, 1, B, 0.9)],
  },
  {
    name: '16 gt id 0: its match counts as a false positive',
    gt: gt([image(1)], [annotation(0, 1, 1, B), annotation(5, 1, 2, B)]),
    results: [detection(1, 1, B, 0.9), detection(1, 2, B, 0.9)],
  },
  {
    name: '17 gt area exactly 1024 is small and medium',
    gt: gt([image(1)], [annotation(1, 1, 1, [0, 0, 32, 32])]),
    results: [detection(1, 1, [0, 0, 32, 32], 0.9)],
  },
  {
    name: '18 small gt (31x31) matched by a medium detection (33x33)',
    gt: gt([image(1)], [annotation(1, 1, 1, [0, 0, 31, 31])]),
    results: [detection(1, 1, [0, 0, 33, 33], 0.9)],
  },
  {
    name: '19 IoU exactly 0.5',
    gt: gt([image(1)], [annotation(1, 1, 1, [0, 0, 20, 20])]),
    results: [detection(1, 1, [0, 0, 20, 10], 0.9)],
  },
  {
    name: '20 two gts with equal IoU to one detection',
    gt: gt(
      [image(1)],
      [annotation(1, 1, 1, [0, 0, 20, 20]), annotation(2, 1, 1, [0, 0, 20, 20], { area: 2000 })],
    ),
    results: [detection(1, 1, [0, 0, 20, 20], 0.9)],
  },
  {
    name: '20b equal IoU: the later gt is taken, which decides what a second detection can match',
    gt: gt([image(1)], [annotation(1, 1, 1, [0, 0, 20, 20]), annotation(2, 1, 1, [10, 0, 20, 20])]),
    // IoU 0.6 with both gts; the second detection fits only the first gt.
    results: [detection(1, 1, [5, 0, 20, 20], 0.9), detection(1, 1, [0, 0, 20, 20], 0.8)],
  },
  {
    name: '21 tied scores across images: false positive in the lower image id',
    gt: gt([image(1, [1]), image(2)], [annotation(1, 2, 1, B)]),
    results: [detection(2, 1, B, 0.5), detection(1, 1, B, 0.5)],
  },
  {
    name: '21b tied scores across images: true positive in the lower image id',
    gt: gt([image(1), image(2, [1])], [annotation(1, 1, 1, B)]),
    results: [detection(2, 1, B, 0.5), detection(1, 1, B, 0.5)],
  },
  {
    name: '22 tied scores within an image: input order decides',
    gt: gt([image(1)], [annotation(1, 1, 1, B)]),
    results: [
      detection(1, 1, [200, 200, 20, 20], 0.5),
      detection(1, 1, B, 0.5),
      detection(1, 1, [300, 300, 9, 9], 0.5),
    ],
  },
  {
    name: '23 over 300 detections, the cap falls inside a tie (true positive last)',
    gt: gt([image(1)], [annotation(1, 1, 1, B), annotation(2, 1, 2, [100, 100, 50, 50])]),
    results: [...filler(1, 2, 300, 0.5), detection(1, 1, B, 0.5)],
  },
  {
    name: '23b over 300 detections, the cap falls inside a tie (true positive first)',
    gt: gt([image(1)], [annotation(1, 1, 1, B), annotation(2, 1, 2, [100, 100, 50, 50])]),
    results: [detection(1, 1, B, 0.5), ...filler(1, 2, 300, 0.5)],
  },
  {
    name: '24 300 high-score detections on other categories push out the only true positive',
    gt: gt([image(1)], [annotation(1, 1, 1, B)]),
    results: [...filler(1, 3, 300, 0.9), detection(1, 1, B, 0.1)],
  },
  {
    name: '25 frequency groups with no valid category, or with no categories at all',
    gt: {
      images: [image(1)],
      annotations: [annotation(1, 1, 3, B)],
      categories: [category(1, 'r'), category(3, 'f')],
    },
    results: [detection(1, 3, B, 0.9), detection(1, 3, [11, 11, 20, 20], 0.3)],
  },
  {
    name: '28 the same detection listed twice',
    gt: gt([image(1, [], [2])], [annotation(1, 1, 1, B), annotation(2, 1, 2, [60, 60, 30, 30])]),
    results: [
      detection(1, 1, B, 0.9),
      detection(1, 1, B, 0.9),
      detection(1, 2, [60, 60, 30, 30], 0.8),
      detection(1, 2, [60, 60, 30, 30], 0.8),
    ],
  },
  {
    name: '29 evaluating an image subset',
    gt: gt(
      [image(1), image(2), image(3)],
      [annotation(1, 1, 1, B), annotation(2, 2, 1, B), annotation(3, 3, 2, B)],
    ),
    results: [detection(1, 1, B, 0.9), detection(2, 1, [300, 300, 10, 10], 0.9), detection(3, 2, B, 0.4)],
    imageIds: [3, 2],
  },
  {
    name: 'non-integer coordinates and areas near the range bounds',
    gt: gt(
      [image(1), image(2, [3])],
      [
        annotation(1, 1, 1, [0.5, 0.25, 31.9, 32.1], { area: 1023.99 }),
        annotation(2, 1, 1, [40.75, 3.5, 96.01, 95.99], { area: 9216.000001 }),
        annotation(3, 2, 4, [1e-3, 2e-3, 1e4, 1e4]),
      ],
    ),
    results: [
      detection(1, 1, [0.4, 0.3, 32, 32], 0.71),
      detection(1, 1, [41, 3, 96, 96], 0.7),
      detection(2, 4, [0, 0, 1e4, 1e4], 0.2),
      detection(2, 3, [5, 5, 1e-3, 1e-3], 0.6),
    ],
  },
];
