"""PyTorch reference for bench/model-native.bench.ts (benchmark only, never a test): torchvision's Faster R-CNN
R50-FPN with random weights, set up like the project's detector (mmdet's recipe): FrozenBN, 3 trainable
backbone stages, 1204 classes (LVIS v1 + background), RoIAlign sampling_ratio 0 (adaptive), no resizing (the
image is given at the size measured). One training forward + backward per step on CPU, `threads` intra-op
threads; prints one JSON line: median ms per image after a warm-up step, and peak RSS.

    python torch_frcnn.py '{"input": [1, 320, 320], "repeats": 3, "threads": 1}'
"""
import json
import resource
import sys
import time

import torch
from torchvision.models import resnet50
from torchvision.models.detection import FasterRCNN
from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
from torchvision.ops import FrozenBatchNorm2d, MultiScaleRoIAlign

request = json.loads(sys.argv[1])
batch, height, width = request["input"]
torch.set_num_threads(request["threads"])
torch.manual_seed(1)

backbone = _resnet_fpn_extractor(resnet50(weights=None, norm_layer=FrozenBatchNorm2d), 3)
model = FasterRCNN(
    backbone,
    num_classes=1204,
    min_size=min(height, width),
    max_size=max(height, width),
    box_roi_pool=MultiScaleRoIAlign(["0", "1", "2", "3"], 7, sampling_ratio=0),
)
model.train()
images = [torch.rand(3, height, width) * 255 for _ in range(batch)]
boxes = torch.tensor(
    [[width * (0.1 + 0.2 * i), height * 0.2, width * (0.4 + 0.2 * i), height * 0.7] for i in range(3)]
)
targets = [{"boxes": boxes, "labels": torch.tensor([1, 2, 3])} for _ in range(batch)]


def step():
    model.zero_grad(set_to_none=True)
    losses = model(images, targets)
    sum(losses.values()).backward()


step()
times = []
for _ in range(request["repeats"]):
    start = time.perf_counter()
    step()
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print(
    json.dumps(
        {
            "msPerImage": times[len(times) // 2] / batch,
            "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "runtime": f"torch {torch.__version__}, {torch.get_num_threads()} threads",
        }
    )
)
