"""``tensorsight run SCRIPT [ARGS...]``: run a training script with shape diagnosis on."""
from __future__ import annotations

import argparse
import json
import os
import sys

from .world import add_world_args, world_for

def register(sub) -> None:
    p = sub.add_parser("run", help="run a script as python would, explaining shape crashes and silent shape bugs",
                       description="Run SCRIPT as `python SCRIPT ARGS` would, with diagnosis on: a shape crash "
                                   "gets its root-cause line, the shapes, the arithmetic and a code fix; silent "
                                   "shape bugs are reported as warnings at the first optimizer step.")
    p.add_argument("--json", metavar="FILE", help="write the report (status, exception, findings) as JSON")
    p.add_argument("--max-steps", type=int, default=None, metavar="N", help="stop cleanly after N optimizer steps")
    p.add_argument("--html", metavar="FILE", help="write a self-contained HTML report")
    add_world_args(p)
    p.add_argument("script", metavar="SCRIPT")
    p.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..diagnose.run.dist_watch import torchrun_rank
    from ..diagnose.run.runner import run_script
    from .outputs import resolve_outputs, write_text
    # before the script runs (it may chdir, and a bad path must not cost the whole run)
    resolve_outputs(args, ("--json", "--html"), (args.script,))
    if args.max_steps is not None and args.max_steps < 1:
        from ..errors import TensorsightError
        raise TensorsightError(f"--max-steps {args.max_steps} must be 1 or more")
    with world_for(args, fake_tensors=False, init=False):  # --world-size: the script's own init is faked
        report = run_script(args.script, args.args, max_steps=args.max_steps)
    job = torchrun_rank() if args.world_size is None else None
    if job is not None and job[1] > 1:  # under torchrun: rank 0 reports for every rank
        from .run_ranks import report_job
        return report_job(args, report, *job)
    print_findings(report.findings, sys.stderr)
    if report.status == "stopped" and not report.interrupted:
        print(f"tensorsight: stopped after --max-steps {args.max_steps}", file=sys.stderr)
    if args.json:
        write_text(args.json, json.dumps(report.to_dict(), indent=1), "--json")
    if args.html:
        from ..render.html import to_html
        write_text(args.html, to_html(report.trace, findings=[x.to_dict() for x in report.findings],
                                      title=args.script), "--html")
    if report.interrupted:  # as python after an uncaught KeyboardInterrupt: die by SIGINT
        from .usercode import die_by_sigint
        die_by_sigint()
    return report.exit_code


def print_findings(findings, stream) -> None:
    shown = [f for f in findings if f.severity != "info"] + [f for f in findings if f.severity == "info"]
    if not shown:
        return
    print("", file=stream)
    for f in shown:
        print(f"tensorsight {f.severity} [{f.category}] {os.path.relpath(f.file)}:{f.line}", file=stream)
        print(f"  {f.message}", file=stream)
        for fx in f.fixes:
            print(f"  fix {os.path.relpath(fx.file)}:{fx.line}", file=stream)
            print(f"    - {fx.old.strip()}", file=stream)
            print(f"    + {fx.new.strip()}", file=stream)
