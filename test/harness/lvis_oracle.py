"""The official LVIS evaluator (lvis-api, PyPI lvis==0.5.3) as a command-line oracle for tests and benchmarks.

    python lvis_oracle.py --gt gt.json --results results.json [--arrays] [--img-ids 1,2,3]
    python lvis_oracle.py --batch cases.json [--arrays]   (cases: [{"gt", "results", "img_ids"}]; prints a list)
    python lvis_oracle.py --numpy-means < arrays.json     (np.mean of each float64 array; tests the summation)
    python lvis_oracle.py --self-check

Prints one JSON object: {"metrics": get_results(), "seconds", "peak_rss_bytes"}, plus with --arrays the
evaluator's parameters and its per-category precision/recall arrays. Python's json writes floats with repr,
which round-trips exactly, so JavaScript's JSON.parse sees the very doubles numpy computed.

Two shims, neither touching the evaluation: lvis/__init__ imports the visualiser (cv2, matplotlib), which the
evaluator never uses, so placeholder modules stand in; and lvis 0.5.3 calls np.float (removed in numpy 1.24).
An empty results list crashes lvis-api (IndexError on results[0]); bacl defines it as "no detections", which
the oracle reproduces with one zero-area detection, dropped by lvis-api's own area filter.
"""
import argparse
import json
import logging
import resource
import sys
import time
import types

import numpy as np

if not hasattr(np, "float"):
    np.float = float
for _name in ("cv2", "matplotlib", "matplotlib.pyplot", "matplotlib.patches"):
    if _name not in sys.modules:
        try:
            __import__(_name)
        except ImportError:
            _module = types.ModuleType(_name)
            _module.Polygon = None
            sys.modules[_name] = _module
logging.disable(logging.WARNING)

from lvis import LVIS, LVISEval  # noqa: E402  (after the shims on purpose)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gt")
    parser.add_argument("--results")
    parser.add_argument("--arrays", action="store_true")
    parser.add_argument("--img-ids")
    parser.add_argument("--batch")
    parser.add_argument("--numpy-means", action="store_true")
    parser.add_argument("--self-check", action="store_true")
    args = parser.parse_args()
    if args.self_check:
        print(f"lvis-api importable (numpy {np.__version__})", file=sys.stderr)
        return
    if args.numpy_means:
        arrays = json.load(sys.stdin)
        json.dump([float(np.mean(np.array(a, dtype=np.float64))) for a in arrays], sys.stdout)
        return

    if args.batch:
        with open(args.batch) as f:
            cases = json.load(f)
        outputs = [evaluate(case["gt"], case["results"], case.get("img_ids"), args.arrays) for case in cases]
        json.dump(outputs, sys.stdout)
        return
    img_ids = [int(i) for i in args.img_ids.split(",")] if args.img_ids else None
    json.dump(evaluate(args.gt, args.results, img_ids, args.arrays), sys.stdout)


def evaluate(gt_path, results_path, img_ids, arrays):
    started = time.perf_counter()
    gt = LVIS(gt_path)
    with open(results_path) as f:
        results = json.load(f)
    if len(results) == 0:
        first_image = min(gt.get_img_ids())
        first_cat = min(gt.get_cat_ids())
        results = [{"image_id": first_image, "category_id": first_cat, "bbox": [0, 0, 0, 0], "score": 0}]
    evaluator = LVISEval(gt, results, "bbox")
    if img_ids is not None:
        evaluator.params.img_ids = img_ids
    evaluator.run()
    seconds = time.perf_counter() - started

    out = {
        "metrics": {k: float(v) for k, v in evaluator.get_results().items()},
        "seconds": seconds,
        # Linux reports ru_maxrss in KiB.
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    if arrays:
        out["iou_thrs"] = evaluator.params.iou_thrs.tolist()
        out["rec_thrs"] = evaluator.params.rec_thrs.tolist()
        out["cat_ids"] = [int(c) for c in evaluator.params.cat_ids]
        out["freq_groups"] = evaluator.freq_groups
        out["precision"] = evaluator.eval["precision"].tolist()
        out["recall"] = evaluator.eval["recall"].tolist()
    return out


if __name__ == "__main__":
    main()
