"""``%load_ext tensorsight``: a shape exception in a notebook cell gets its diagnosis."""
from __future__ import annotations

from . import checks
from .context import render
from ..findings import dedupe
from .watch import Watcher


class _CellWatch:
    def __init__(self, shell):
        self.shell = shell
        self.watcher = None

    def pre_run_cell(self, info=None):
        self.watcher = Watcher()
        checks.install(self.watcher)
        self.watcher.__enter__()

    def post_run_cell(self, result=None):
        if self.watcher is not None:
            self.watcher.__exit__(None, None, None)

    def handler(self, shell, etype, evalue, tb, tb_offset=None):
        shell.showtraceback((etype, evalue, tb), tb_offset=tb_offset)
        if self.watcher is not None:
            found = dedupe(checks.diagnose_crash(self.watcher, evalue))
            if found:
                print(render(found))
        return None


def load_ipython_extension(ipython):
    watch = _CellWatch(ipython)
    ipython.events.register("pre_run_cell", watch.pre_run_cell)
    ipython.events.register("post_run_cell", watch.post_run_cell)
    ipython.set_custom_exc((Exception,), watch.handler)
