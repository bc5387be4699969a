"""faster-coco-eval (PyPI faster-coco-eval==1.8.0) in its LVIS mode, for the LVIS evaluator benchmark only.

    python faster_coco_eval_oracle.py --gt gt.json --results results.json

Prints one JSON object: {"metrics": the 13 LVIS metrics under lvis-api's key names, "seconds",
"peak_rss_bytes"}. COCOeval_faster with lvis_style=True (federated neg / not-exhaustive rules, r/c/f groups)
and maxDets [300], the LVIS setting; its stats are renamed to lvis-api's keys (AP_all -> AP, AR_all -> AR@300,
...). Not an oracle for tests: its numbers are close to, not identical with, the official package's.
"""
import argparse
import json
import resource
import sys
import time

from faster_coco_eval import COCO, COCOeval_faster

KEYS = {
    "AP": "AP_all",
    "AP50": "AP_50",
    "AP75": "AP_75",
    "APs": "AP_small",
    "APm": "AP_medium",
    "APl": "AP_large",
    "APr": "APr",
    "APc": "APc",
    "APf": "APf",
    "AR@300": "AR_all",
    "ARs@300": "AR_small",
    "ARm@300": "AR_medium",
    "ARl@300": "AR_large",
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gt", required=True)
    parser.add_argument("--results", required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    gt = COCO(args.gt)
    dt = gt.loadRes(args.results)
    evaluator = COCOeval_faster(gt, dt, "bbox", lvis_style=True, print_function=lambda *a, **k: None)
    evaluator.params.maxDets = [300]
    evaluator.evaluate()
    evaluator.accumulate()
    evaluator.summarize()
    stats = evaluator.stats_as_dict
    seconds = time.perf_counter() - started
    out = {
        "metrics": {key: float(stats[theirs]) for key, theirs in KEYS.items()},
        "seconds": seconds,
        # Linux reports ru_maxrss in KiB.
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
