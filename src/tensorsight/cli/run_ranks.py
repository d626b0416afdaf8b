"""``torchrun … -m tensorsight run SCRIPT``: one report for the whole job, printed by rank 0."""
from __future__ import annotations

import json
import os
import sys


def report_job(args, report, rank: int, world_size: int) -> int:
    from ..diagnose.run.dist_watch import collected, gather_reports, merge_reports, share_report
    from .run import print_findings
    mine = share_report(report.to_dict(), rank)
    if rank != 0:
        if not collected(mine):  # rank 0 is stuck (in a collective) or gone: report here
            print(f"tensorsight: rank 0 did not collect rank {rank}'s report; rank {rank}:", file=sys.stderr)
            print_findings(report.findings, sys.stderr)
        return report.exit_code
    reports = gather_reports(world_size)
    joined, findings = merge_reports(reports)
    missing = [r for r in range(world_size) if r not in reports]
    print_job_findings(findings, world_size, sys.stderr)
    if missing:
        print(f"tensorsight: no report from rank(s) {', '.join(map(str, missing))} (crashed or still running)",
              file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(joined, f, indent=1)
    if args.html:
        from ..render.html import to_html
        with open(args.html, "w") as f:
            f.write(to_html(report.trace, findings=joined["findings"], title=args.script))
    return report.exit_code


def print_job_findings(findings, world_size: int, stream) -> None:
    if not findings:
        return
    print("", file=stream)
    for f, ranks in findings:
        where = "all ranks" if len(ranks) == world_size else f"rank{'s' if len(ranks) > 1 else ''} {', '.join(map(str, ranks))}"
        print(f"tensorsight {f.severity} [{f.category}] {os.path.relpath(f.file)}:{f.line} (on {where} of {world_size})",
              file=stream)
        print(f"  {f.message}", file=stream)
        for fx in f.fixes:
            print(f"  fix {os.path.relpath(fx.file)}:{fx.line}", file=stream)
            print(f"    - {fx.old.strip()}", file=stream)
            print(f"    + {fx.new.strip()}", file=stream)
