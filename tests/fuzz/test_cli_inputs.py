"""Hundreds of bad command lines: each is one sentence and exit code 2, never a traceback.

Generated from small tables (shapes, numbers, targets, output paths, flags) so a new command
or flag is fuzzed by adding a row. In-process (one torch import): the whole file takes seconds.
"""
from __future__ import annotations

import itertools
import os
import random

import pytest

from .helpers import TARGETS, assert_user_mistake, cli

NET = f"{TARGETS}:Net"
HUGE = "9" * 5000

BAD_SHAPES = [
    "", " ", "x", "1x", "x1", "1xx2", "1x-4", "-1", "1.5x4", "1,,4", "()", "[]", "1x4:", "1x4:quux",
    "1x4:float128", "a b c!", "1x4x", "1×4×", "1x²", "1x٤", "0x" + HUGE, "1x" + HUGE, HUGE,
    "99999x99999x99999x99999", "4294967296x4294967296x4294967296", "9223372036854775808",
    "2305843009213693952", "1x" * 70 + "1", "1x4;rm -rf /", "$(echo 1)", "1x4\x00", "1 x 4 x",
    "N x", "1x4:long:long", ":long", "1e3x4", "0x1e9", "1_000x4", "0b11x4", "0x10", "١x4",
]
SEEDED = random.Random(17)
BAD_SHAPES += ["x".join(str(SEEDED.choice([-3, -1, 10 ** 20, 2 ** 63, 2 ** 64])) for _ in range(SEEDED.randint(1, 5)))
               for _ in range(30)]
BAD_SHAPES += ["".join(SEEDED.choice("0123456789x:,()[] -.eE_") for _ in range(SEEDED.randint(1, 12)))
               for _ in range(60)]


def _really_bad(shape: str) -> bool:
    from tensorsight.errors import TensorsightError
    from tensorsight.shapes import parse_shape
    try:
        spec = parse_shape(shape)
    except TensorsightError:
        return True
    return spec.dims != (1, 4) and not spec.symbolic  # a shape that parses must not fit Net


@pytest.mark.parametrize("shape", [s for s in BAD_SHAPES if _really_bad(s)])
@pytest.mark.parametrize("command", ["trace", "summary"])
def test_bad_shape(command, shape, capsys):
    argv = [command, NET, "--input", shape]
    rc, _, err = cli(argv, capsys)
    if rc == 1:  # parsed, and the model rejected it: the failing op, never a traceback
        assert "Traceback" not in err and "forward pass raised" in err, (argv, err)
        return
    assert_user_mistake(rc, err, argv)


BAD_TARGETS = [
    ":Net", "Net", ":", f"{TARGETS}:", f"{TARGETS}:Nope", f"{TARGETS}:not_a_model", f"{TARGETS}:1x",
    f"{TARGETS}:Net.", f"{TARGETS}:Net;", f"{os.path.dirname(TARGETS)}:Net", ".:Net", "/:Net",
    "/nonexistent/model.py:Net", "no_such_package.mod:Net", "..relative:Net", "os.path..x:Net",
    "tensorsight:Nope", f"{TARGETS}.txt:Net", "/etc/hostname:Net", "/dev/null:Net", f"{HUGE}.py:Net",
    f"{TARGETS}:{HUGE}", "a b:Net", "torch.nn:Linear", f"{TARGETS}:scripted", f"{TARGETS}:instance",
]


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_bad_target(target, capsys):
    extra = ["--arg", "in_features=4"] if target == "torch.nn:Linear" else []
    argv = ["trace", target, "--input", "1x4", *extra]
    rc, _, err = cli(argv, capsys)
    if target.endswith(":instance"):
        argv = ["trace", target, "--input", "1x4", "--arg", "width=3"]
        rc, _, err = cli(argv, capsys)
    assert_user_mistake(rc, err, argv)


BAD_ARGS = ["width", "=3", "1width=3", "width=abc", "width=[1,2]", "width=None", "width=-5",
            f"width={HUGE}", "width=" + "[" * 3000, "width=1e400", "nope=3", "width=3=4", "width=(1,",
            "width=" + "x" * 20000]


@pytest.mark.parametrize("arg", BAD_ARGS)
def test_bad_constructor_argument(arg, capsys):
    argv = ["trace", f"{TARGETS}:Net", "--input", "1x4", "--arg", arg]
    rc, _, err = cli(argv, capsys)
    assert_user_mistake(rc, err, argv)


@pytest.mark.parametrize("arg", ["k=abc", "k=-3", "k=[2]", "k=1.5", "kk=2"])
def test_bad_factory_argument(arg, capsys):
    argv = ["trace", f"{TARGETS}:factory", "--input", "1x4", "--arg", arg]
    rc, _, err = cli(argv, capsys)
    assert_user_mistake(rc, err, argv)


def _bad_paths(tmp):
    folder = tmp / "folder"
    folder.mkdir(exist_ok=True)
    ro = tmp / "readonly.out"
    ro.write_text("keep")
    ro.chmod(0o444)
    return ["/nonexistent/dir/out.file", str(folder), str(folder) + os.sep, "", "/proc/no.file",
            str(ro), TARGETS, str(tmp / "missing" / "deeper" / "o"), "/dev/null/x", str(tmp / "readonly.out" / "x")]


COMMANDS_WITH_OUTPUTS = [
    (["trace", NET, "--input", "1x4"], ["--svg", "--png", "--html"]),
    (["report", NET, "--input", "1x4"], ["--svg", "--png", "--html"]),
    (["convmat", "Conv2d(1, 1, 3)", "--input", "1x5x5"], ["--save"]),
    (["run"], ["--json", "--html"]),
]


@pytest.mark.parametrize("case", range(len(COMMANDS_WITH_OUTPUTS)))
def test_unwritable_outputs_fail_before_any_work(case, tmp_path, capsys):
    base, flags = COMMANDS_WITH_OUTPUTS[case]
    marker = tmp_path / "ran"
    script = tmp_path / "script.py"
    script.write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    tried = 0
    for flag, path in itertools.product(flags, _bad_paths(tmp_path)):
        argv = [*base, flag, path] + ([str(script)] if base == ["run"] else [])
        rc, _, err = cli(argv, capsys)
        assert_user_mistake(rc, err, argv)
        assert not marker.exists(), f"{argv}: the script ran before the output path was checked"
        tried += 1
    assert (tmp_path / "readonly.out").read_text() == "keep"
    assert open(TARGETS).read().startswith('"""Small models')
    assert tried == len(flags) * 10


def test_ranks_checking_one_output_path_at_once_all_may_write(tmp_path):
    """Every rank of a torchrun job checks the same --json path when it starts; one rank's check
    must never make the path look taken to another."""
    from concurrent.futures import ThreadPoolExecutor

    from tensorsight.cli.outputs import output_path
    target = str(tmp_path / "job.json")
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda _: output_path(target, "--json"), range(400)))
    assert got == [target] * 400 and not os.path.exists(target) and os.listdir(tmp_path) == []


BAD_FLAGS = [
    ["trace", NET, "--input", "1x4", "--format", "xml"],
    ["trace", NET, "--input", "1x4", "--max-rows", "-1"],
    ["trace", NET, "--input", "1x4", "--max-rows", HUGE],
    ["trace", NET, "--input", "1x4", "--max-rows", "1e3"],
    ["trace", NET],
    ["trace"],
    ["trace", NET, "--input"],
    ["trace", NET, "--input", "1x4", "--nope"],
    ["summary", NET, "--input", "1x4", "--depth", "-2"],
    ["summary", NET, "--input", "1x4", "--depth", HUGE[:30] + "x"],
    ["summary", NET, "--input", "1x4", "--columns", "nope"],
    ["summary", NET, "--input", "1x4", "--columns", ","],
    ["summary", NET, "--input", "1x4", "--optimizer", "lbfgs2"],
    ["summary", NET, "--input", "1x4", "--width", "abc"],
    ["report", NET, "--input", "1x4"],
    ["report", NET, "--input", "1x4", "--html", "r.html", "--depth", "0"],
    ["solve", f"{TARGETS}:Conv", "--input", "1x1xHxW", "--range", "0..5"],
    ["solve", f"{TARGETS}:Conv", "--input", "1x1xHxW", "--range", "9..5"],
    ["solve", f"{TARGETS}:Conv", "--input", "1x1xHxW", "--range", "1.." + HUGE],
    ["solve", f"{TARGETS}:Conv", "--input", "1x1xHxW", "--range", "1..99999999999"],
    ["solve", f"{TARGETS}:Conv", "--input", "1x1xHxW", "--range", "a..b"],
    ["solve", f"{TARGETS}:Conv", "--input", "1x1xHxW", "--check", "H=²"],
    ["solve", f"{TARGETS}:Conv", "--input", "1x1xHxW", "--check", "H=" + HUGE],
    ["convmat", "Conv2d(1, 1, 3)", "--input", "1x99999x99999"],
    ["convmat", "Conv2d(64, 64, 3, padding=1)", "--input", "64x512x512"],
    ["convmat", "Conv2d(99999, 99999, 99)", "--input", "99999x5x5"],
    ["convmat", "Conv2d(1, 1, 3)", "--input", "1x5x5", "--dense", "--save", "/nonexistent/a.npz"],
    ["convmat", "Conv2d(1, 1, 3)", "--input", "1x" + HUGE],
    ["convmat", "Conv2d(1, 1, 30)", "--input", "1x5x5"],
    ["convmat", "__import__('os').system('true')", "--input", "1x5x5"],
    ["convmat", "Conv2d(*[1, 1, 3])", "--input", "1x5x5"],
    ["convmat", "Conv2d(1, 1, 3, padding=" + "(" * 500 + ")", "--input", "1x5x5"],
    ["convmat", "Conv2d(-1, 1, 3)", "--input", "1x5x5"],
    ["convmat", "Conv2d(1, 1, 3)", "--input", "NxHxW"],
    ["run", "--max-steps", "0", TARGETS],
    ["run", "--max-steps", "x", TARGETS],
    ["fix", "--rounds", "0", TARGETS],
    ["fix", "/nonexistent/script.py"],
    ["fix"],
    ["nope"],
]


@pytest.mark.parametrize("argv", BAD_FLAGS, ids=lambda a: " ".join(a)[:60])
def test_bad_flag_or_number(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, _, err = cli(argv, capsys)
    assert_user_mistake(rc, err, argv)
    assert not os.path.exists(tmp_path / "r.html")


def test_count_of_generated_cli_inputs():
    """The suite's size (reported in the issue): a table shrinking by accident fails here."""
    shapes = [s for s in BAD_SHAPES if _really_bad(s)]
    total = 2 * len(shapes) + len(BAD_TARGETS) + len(BAD_ARGS) + 5 + 10 * 9 + len(BAD_FLAGS)
    assert total >= 300, total
