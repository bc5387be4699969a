// The evaluator's documented peak memory (docs/adr/0030): an upper bound on the resident set of
// `baclctl eval`, from the sizes of its input. The per-item terms are the sizes of what is kept; the two
// constants are measured (with margin): a run on 1 detection peaks at 168 MiB (the 39 MB arrays included) and
// mid-size inputs show about 100 MiB of garbage (read chunks, the ground truth's parsed elements) before V8
// collects it. Term by term:
//   320 MiB                  Node, the code (oclif, the data part's imports; tsx from sources), read chunks,
//                            garbage not yet collected
//   1 KiB x images           the ground truth's image records (neg / not-exhaustive id lists)
//   512 B x annotations      its annotations as objects (segmentation dropped by the loader)
//   160 B x detections       the columns (48 B, capacity up to twice the count while growing; read in ranges,
//                            the ranges' 48 B and the joined 48 B), the sort indices of prepare (16 B) and the
//                            kept detections in cell order (40 B)
//   32,640 B x categories    precision [10][101][K][4] and recall [10][K][4] as float64
//   96 MiB x (threads - 1)   each worker thread (a V8 isolate with its heap; 88 MiB measured at start-up): the
//                            results reader threads (docs/adr/0039), then the category workers
//   128 B x largest x threads  each thread's per-category buffers (outcomes, ranking, running precision and
//                            recall) sized by the category with the most kept detections

export interface EvaluatorShape {
  images: number;
  annotations: number;
  detections: number;
  categories: number;
  threads: number;
  /** Detections of the category with the most (at most `detections`). */
  largestCategory: number;
}

const MiB = 2 ** 20;

/** The bound, in bytes (see the file comment). */
export function evaluatorPeakMemoryBound(shape: EvaluatorShape): number {
  return (
    320 * MiB +
    1024 * shape.images +
    512 * shape.annotations +
    160 * shape.detections +
    32_640 * shape.categories +
    96 * MiB * (shape.threads - 1) +
    128 * shape.largestCategory * shape.threads
  );
}
