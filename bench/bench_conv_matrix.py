"""Benchmark: tensorsight.conv_matrix against the ways people build a conv's matrix today.

Baselines (each checked to give the same matrix as ours before it is timed):

* loops   - the Stack Overflow answer's construction ("Is there a function in PyTorch for
            converting convolutions to fully-connected form?"): one scipy.linalg.toeplitz per
            kernel row, a Python loop placing them into a doubly blocked Toeplitz matrix, and a
            loop over (output channel, input channel) pairs; zero padding is handled by building
            for the padded input and dropping the padding columns. Stride 1, zero padding only.
* jacrev  - torch.func.jacrev of the conv with respect to its input (any conv; dense result).

Times are medians of 15 runs (3 for the big build and for the baselines; the correctness check
before them serves as their warm-up) with OMP_NUM_THREADS=1 and torch.set_num_threads(1). They
are CPU times of this (single-threaded) process, user + system (``time.process_time``), which on
an idle machine equal wall-clock times; on a shared, loaded machine wall-clock times of
millisecond builds swing by several x with other people's jobs, CPU times much less. Peak memory of our sparse build is measured in a fresh subprocess
from the kernel's resident-set high-water mark: reset with ``echo 5 > /proc/self/clear_refs``
just before the build, then ``VmHWM - VmRSS(before)`` from /proc/self/status. That counts every
page the build touched (torch's allocations included, which tracemalloc cannot see), so it is an
honest upper bound on the build's extra memory. Linux only.

Run:  OMP_NUM_THREADS=1 python bench/bench_conv_matrix.py [--quick]
A central runner can call ``main(quick=...)``, which returns the rows as dicts.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from tensorsight.algebra.conv_matrix import conv_matrix  # noqa: E402

torch.set_num_threads(1)

# name, constructor, input shape, run the loop baseline?, run jacrev?
CONFIGS = [
    ("Conv2d(1, 1, 3, padding=1) on 1x16x16", lambda: nn.Conv2d(1, 1, 3, padding=1), (1, 16, 16)),
    ("Conv2d(3, 16, 3, padding=1) on 3x32x32", lambda: nn.Conv2d(3, 16, 3, padding=1), (3, 32, 32)),
    ("Conv2d(16, 16, 3, padding=1) on 16x32x32", lambda: nn.Conv2d(16, 16, 3, padding=1),
     (16, 32, 32)),
    ("Conv2d(3, 16, 3, padding=1, circular) on 3x32x32",
     lambda: nn.Conv2d(3, 16, 3, padding=1, padding_mode="circular"), (3, 32, 32)),
    ("ConvTranspose2d(16, 8, 4, stride=2, padding=1) on 16x16x16",
     lambda: nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1), (16, 16, 16)),
    ("Conv3d(4, 8, 3, padding=1, reflect) on 4x12x12x12",
     lambda: nn.Conv3d(4, 8, 3, padding=1, padding_mode="reflect"), (4, 12, 12, 12)),
    ("Conv2d(64, 64, 3, padding=1) on 64x56x56", lambda: nn.Conv2d(64, 64, 3, padding=1),
     (64, 56, 56)),
]
QUICK = {0, 1, 3}
DENSE_BASELINE_LIMIT = 2 * 2 ** 30     # skip the dense baselines above 2 GiB of output


# ---------------------------------------------------------------------------------------------
# the baselines
# ---------------------------------------------------------------------------------------------

def toeplitz_one_channel(kernel: np.ndarray, input_size) -> np.ndarray:
    """Doubly blocked Toeplitz matrix of a 2d 'valid' correlation, built as in the SO answer."""
    from scipy import linalg
    k_h, k_w = kernel.shape
    i_h, i_w = input_size
    o_h = i_h - k_h + 1
    blocks = []
    for r in range(k_h):                      # one 1d Toeplitz matrix per kernel row
        blocks.append(linalg.toeplitz(c=(kernel[r, 0], *np.zeros(i_w - k_w)),
                                      r=(*kernel[r], *np.zeros(i_w - k_w))))
    h_block, w_block = blocks[0].shape
    W = np.zeros((o_h, h_block, i_h, w_block), dtype=kernel.dtype)
    for i, block in enumerate(blocks):        # place them block by block
        for j in range(o_h):
            W[j, :, i + j, :] = block
    return W.reshape(o_h * h_block, i_h * w_block)


def loop_toeplitz(conv: nn.Conv2d, input_shape) -> np.ndarray:
    """Loop over (output channel, input channel) pairs; zero padding by padding then dropping."""
    kernel = conv.weight.detach().numpy()
    c_out, c_in = kernel.shape[:2]
    _, h, w = input_shape
    p_h, p_w = conv.padding
    ph, pw = h + 2 * p_h, w + 2 * p_w
    o_h, o_w = ph - kernel.shape[2] + 1, pw - kernel.shape[3] + 1
    T = np.zeros((c_out, o_h * o_w, c_in, ph * pw), dtype=kernel.dtype)
    for i in range(c_out):
        for j in range(c_in):
            T[i, :, j, :] = toeplitz_one_channel(kernel[i, j], (ph, pw))
    T = T.reshape(c_out * o_h * o_w, c_in, ph, pw)[:, :, p_h:p_h + h, p_w:p_w + w]
    return T.reshape(c_out * o_h * o_w, c_in * h * w)


def loop_applies(conv) -> bool:
    return (type(conv) is nn.Conv2d and conv.padding_mode == "zeros" and conv.stride == (1, 1)
            and conv.dilation == (1, 1) and conv.groups == 1 and not isinstance(conv.padding, str))


def jacrev_matrix(conv, input_shape) -> torch.Tensor:
    x = torch.zeros(input_shape)
    J = torch.func.jacrev(lambda v: conv(v.unsqueeze(0)).flatten())(x)
    return J.reshape(J.shape[0], -1)


# ---------------------------------------------------------------------------------------------
# measuring
# ---------------------------------------------------------------------------------------------

def median_time(fn, runs: int, warm_up: bool = True) -> float:
    if warm_up:
        fn()
    times = []
    for _ in range(runs):
        start = time.process_time()
        out = fn()
        times.append(time.process_time() - start)
        del out
    return statistics.median(times)


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field)


def measure_memory(index: int) -> dict:
    """In this (fresh) process: peak extra resident memory of one sparse build."""
    name, make, shape = CONFIGS[index]
    torch.manual_seed(0)
    conv = make()
    conv_matrix(nn.Conv2d(1, 1, 3), (1, 5, 5))           # load the code paths once
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")                                    # reset VmHWM to the current RSS
    before = _status("VmRSS")
    B, b = conv_matrix(conv, shape)
    peak = _status("VmHWM") - before
    result = sum(t.numel() * t.element_size() for t in (B.crow_indices(), B.col_indices(), B.values()))
    return {"peak_bytes": peak, "result_bytes": result}


def memory_in_subprocess(index: int) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, __file__, "--memory", str(index)], capture_output=True,
                         text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_one(index: int, runs: int = 15, slow_runs: int = 3) -> dict:
    name, make, shape = CONFIGS[index]
    torch.manual_seed(0)
    conv = make()
    B, _ = conv_matrix(conv, shape)
    rows, cols = B.shape
    nnz = B._nnz()
    row = {"config": name, "shape": f"{rows} x {cols}", "nnz": nnz}
    big = nnz > 20_000_000
    row["ours_s"] = median_time(lambda: conv_matrix(conv, shape), slow_runs if big else runs)
    dense_ok = rows * cols * 4 <= DENSE_BASELINE_LIMIT
    dense = B.to_dense() if dense_ok else None
    del B
    row["loops_s"] = row["jacrev_s"] = None
    if dense_ok and loop_applies(conv):
        got = torch.from_numpy(loop_toeplitz(conv, shape))
        assert torch.equal(got, dense), "loop baseline disagrees"
        del got
        row["loops_s"] = median_time(lambda: loop_toeplitz(conv, shape), slow_runs, warm_up=False)
    if dense_ok:
        got = jacrev_matrix(conv, shape)
        torch.testing.assert_close(got, dense, rtol=1e-6, atol=1e-6)
        del got
        row["jacrev_s"] = median_time(lambda: jacrev_matrix(conv, shape), slow_runs, warm_up=False)
    del dense
    row.update(memory_in_subprocess(index))
    row["peak_ratio"] = row["peak_bytes"] / row["result_bytes"]
    row["loops_ratio"] = row["loops_s"] / row["ours_s"] if row["loops_s"] else None
    row["jacrev_ratio"] = row["jacrev_s"] / row["ours_s"] if row["jacrev_s"] else None
    return row


def _ms(s):
    return "—" if s is None else (f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.2f} s")


def _x(r):
    return "—" if r is None else (f"{r:.2f}×" if r < 10 else f"{r:,.0f}×")


def _mem(r):
    if r["result_bytes"] < 2 ** 20:   # below page-size resolution of VmHWM: not meaningful
        return f"{r['peak_bytes'] / 2 ** 10:,.0f} KiB / {r['result_bytes'] / 2 ** 10:,.0f} KiB"
    return (f"{r['peak_bytes'] / 2 ** 20:,.1f} / {r['result_bytes'] / 2 ** 20:,.1f} MiB "
            f"({r['peak_ratio']:.2f}×)")


def markdown(rows: list[dict]) -> str:
    head = ("| conv, input | matrix | nnz | conv_matrix (sparse) | loops (SO Toeplitz) | jacrev "
            "| vs loops | vs jacrev | build's peak memory / result |\n"
            "|---|---|---:|---:|---:|---:|---:|---:|---:|")
    lines = [head]
    for r in rows:
        lines.append(f"| {r['config']} | {r['shape']} | {r['nnz']:,} | {_ms(r['ours_s'])} | "
                     f"{_ms(r['loops_s'])} | {_ms(r['jacrev_s'])} | {_x(r['loops_ratio'])} | "
                     f"{_x(r['jacrev_ratio'])} | {_mem(r)} |")
    return "\n".join(lines)


def main(argv=None, quick: bool = False) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="only the small configurations")
    p.add_argument("--memory", type=int, help=argparse.SUPPRESS)
    args = p.parse_args([] if argv is None else argv)
    if args.memory is not None:
        print(json.dumps(measure_memory(args.memory)))
        return []
    quick = quick or args.quick
    rows = [bench_one(i) for i in range(len(CONFIGS)) if not quick or i in QUICK]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{time.strftime('%Y-%m-%d')}: torch {torch.__version__}, {os.cpu_count()} cores, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, load average {load:.1f} at the end; "
          f"times are medians of per-process CPU time\n")
    print(markdown(rows))
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
