"""Time per answer of tensorsight.symbolic and tensorsight.solve on the four nets of issue 5.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_symbolic.py [--repeat 5]

Prints the first call in this process (it pays torch's one-time imports, e.g. torch._dynamo
for the ShapeEnv) and the median of the following calls. The goal is under 2 s per answer.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "symbolic"))

CASES = [
    # name, factory, symbolic spec, solve spec, a size to check
    ("LeNet", "LeNet", "N x 1 x H x W", "1x1xHxW", "1x1x28x28"),
    ("ResNet-style (train)", "ResNetish", "N x 3 x H x W", "1x3xHxW", "1x3x20x20"),
    ("ResNet-style, N named", "ResNetish", "N x 3 x H x W", "N x 3 x H x W", "1x3x20x20"),
    ("U-Net (4 pools, skip cat)", "UNet", "N x 1 x H x W", "1x1xHxW", "1x1x100x100"),
    ("1-d conv net", "SeqConvNet", "N x 4 x L", "N x 4 x L", "2x4x50"),
]


def timed(fn, repeat: int) -> tuple[float, float]:
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return first, statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    t0 = time.perf_counter()
    import torch  # noqa: F401

    import symnets
    import tensorsight
    print(f"import torch + tensorsight: {time.perf_counter() - t0:.2f} s")
    print(f"{'net':28s} {'what':9s} {'first':>8s} {'median':>8s}   answer")
    for label, factory, sym_spec, solve_spec, size in CASES:
        model = getattr(symnets, factory)()
        first, med = timed(lambda: tensorsight.symbolic(model, sym_spec), args.repeat)
        tr = tensorsight.symbolic(model, sym_spec)
        print(f"{label:28s} {'symbolic':9s} {first:7.2f}s {med:7.2f}s   {tr.outputs[0].shape}")
        first, med = timed(lambda: tensorsight.solve(model, solve_spec), args.repeat)
        sol = tensorsight.solve(model, solve_spec)
        answer = "; ".join(line.strip() for line in sol.summary)
        print(f"{'':28s} {'solve':9s} {first:7.2f}s {med:7.2f}s   {answer[:90] + ('…' if len(answer) > 90 else '')}")
        first, med = timed(lambda: sol.check(size), args.repeat)
        chk = sol.check(size)
        print(f"{'':28s} {'check':9s} {first:7.2f}s {med:7.2f}s   {size}: "
              f"{'works' if chk.ok else 'fails at ' + (chk.module or chk.op)}"
              f"{', nearest ' + chk.nearest[0] if chk.nearest else ''}")


if __name__ == "__main__":
    main()
