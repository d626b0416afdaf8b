"""tensorsight.summary against torchinfo.summary, and the 70B summary against its trace.

    PYTHONPATH=src:/tmp/peers .venv/bin/python bench/bench_summary.py [--runs 5] [--models lenet,...]

Each measurement is a fresh process (OMP_NUM_THREADS=1): import torch and the tool, build the
model, then time the tool's first call (``call``: what a user pays, one-time costs included) and
a second call (``again``); ``process`` is the whole process's wall time. Medians of ``--runs``;
the ratios are tensorsight ÷ torchinfo from the same run. torchinfo is a bench extra
(``pip install --target /tmp/peers torchinfo``); tensorsight and torchinfo get the same
real-weight model and the same input tensor. Llama-2-70B's shape is built on the meta device
(no weights): summary vs trace.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


# -- models ----------------------------------------------------------------------------------------
def _lenet():
    sys.path.insert(0, str(ROOT / "examples"))
    from lenet import Net
    return Net(), "1x1x32x32"


def _resnet50():
    """ResNet-50 written out (torchvision's layout, no torchvision): bottlenecks 3-4-6-3."""
    from torch import nn

    class Bottleneck(nn.Module):
        def __init__(self, cin, width, stride):
            super().__init__()
            cout = width * 4
            self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(width)
            self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(width)
            self.conv3 = nn.Conv2d(width, cout, 1, bias=False)
            self.bn3 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                               if stride != 1 or cin != cout else None)

        def forward(self, x):
            idt = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.relu(self.bn2(self.conv2(out)))
            return self.relu(self.bn3(self.conv3(out)) + idt)

    class ResNet50(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            layers, cin = [], 64
            for width, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
                stage = []
                for i in range(blocks):
                    stage.append(Bottleneck(cin, width, stride if i == 0 else 1))
                    cin = width * 4
                layers.append(nn.Sequential(*stage))
            self.layer1, self.layer2, self.layer3, self.layer4 = layers
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(2048, 1000)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(self.avgpool(x).flatten(1))

    return ResNet50().eval(), "1x3x224x224"


def _hf(cls, config, spec, **kw):
    def build():
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import transformers
        return getattr(transformers, cls)(getattr(transformers, config)(**kw)).eval(), spec
    return build


MODELS = {
    "lenet": _lenet,
    "resnet50": _resnet50,
    "bert-base": _hf("BertModel", "BertConfig", "1x128:long"),
    "gpt2": _hf("GPT2LMHeadModel", "GPT2Config", "1x128:long"),
    "llama-70b-meta": _hf("LlamaForCausalLM", "LlamaConfig", "1x128:long", hidden_size=8192,
                          intermediate_size=28672, num_hidden_layers=80, num_attention_heads=64,
                          num_key_value_heads=8, vocab_size=32000),
}
TOOLS = {"lenet": ("tensorsight-summary", "torchinfo"), "resnet50": ("tensorsight-summary", "torchinfo"),
         "bert-base": ("tensorsight-summary", "torchinfo"), "gpt2": ("tensorsight-summary", "torchinfo"),
         "llama-70b-meta": ("tensorsight-summary", "tensorsight-trace")}


# -- one measurement, in this (fresh) process ------------------------------------------------------------
def one(model_name: str, tool: str) -> dict:
    t_start = time.perf_counter()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import warnings
    warnings.simplefilter("ignore")
    import torch
    torch.set_num_threads(1)
    if tool.startswith("tensorsight"):
        import tensorsight
        fn = tensorsight.summary if tool == "tensorsight-summary" else tensorsight.trace
        run = lambda model, spec, x: fn(model, spec)  # noqa: E731
    else:
        import torchinfo
        run = lambda model, spec, x: torchinfo.summary(model, input_data=x, verbose=0)  # noqa: E731
    meta = model_name.endswith("-meta")
    with torch.device("meta" if meta else "cpu"):
        model, spec = MODELS[model_name]()
    dims = tuple(int(d) for d in spec.split(":")[0].split("x"))
    x = torch.zeros(dims, dtype=torch.long) if spec.endswith(":long") else torch.randn(dims)
    c0, t0 = time.process_time(), time.perf_counter()
    result = run(model, spec, x)
    c1, t1 = time.process_time(), time.perf_counter()
    run(model, spec, x)
    c2, t2 = time.process_time(), time.perf_counter()
    mode = getattr(getattr(result, "trace", result), "mode", "")
    import resource
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {"call_s": t1 - t0, "again_s": t2 - t1, "call_cpu_s": c1 - c0, "again_cpu_s": c2 - c1,
            "in_process_s": t2 - t_start, "process_cpu_s": ru.ru_utime + ru.ru_stime, "path": mode}


def measure(model_name: str, tool: str, runs: int) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    rows: list[dict] = []
    for _ in range(runs):
        proc = subprocess.Popen([sys.executable, __file__, "--one", model_name, tool], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env)
        out, err = proc.communicate(timeout=900)
        if proc.returncode != 0:
            return {"error": err.strip().splitlines()[-1] if err.strip() else f"rc {proc.returncode}"}
        r = json.loads(out.strip().splitlines()[-1])
        rows.append(r)
    med = {k: statistics.median(r[k] for r in rows) for k in ("call_s", "again_s", "call_cpu_s", "again_cpu_s",
                                                               "in_process_s", "process_cpu_s")}
    return {**med, "path": rows[-1]["path"]}


def _fmt(s: float) -> str:
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--one", nargs=2, metavar=("MODEL", "TOOL"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        print(json.dumps(one(*args.one)))
        return
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
          f"OMP_NUM_THREADS=1, fresh process per run, median of {args.runs}")
    print("CPU seconds (user + system; wall in brackets: the machine is shared). Ratio: first tool ÷ second, "
          "same run.")
    print("| model | tool | path | first call | second call | whole process | ratio, first call | "
          "ratio, second call | ratio, process |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for name in args.models.split(","):
        ours, ref = TOOLS[name]
        a, b = measure(name, ours, args.runs), measure(name, ref, args.runs)
        for tool, r in ((ours, a), (ref, b)):
            if "error" in r:
                print(f"| {name} | {tool} | | fails: {r['error'][:80]} | | | | | |")
                continue
            both = tool == ours and "error" not in b
            ratios = [f"{a[k] / b[k]:.2f}×" if both else "" for k in ("call_cpu_s", "again_cpu_s", "process_cpu_s")]
            print(f"| {name} | {tool} | {r['path']} | {_fmt(r['call_cpu_s'])} ({_fmt(r['call_s'])}) | "
                  f"{_fmt(r['again_cpu_s'])} ({_fmt(r['again_s'])}) | {_fmt(r['process_cpu_s'])} "
                  f"({_fmt(r['in_process_s'])}) | {' | '.join(ratios)} |", flush=True)


if __name__ == "__main__":
    main()
