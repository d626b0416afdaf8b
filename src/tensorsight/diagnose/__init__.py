"""Run a user's script, watch it, diagnose shape bugs and fix them.

The pipeline, one subpackage a stage: ``run/`` (the script runs with the watcher on; the Trace is
captured) → ``provenance/`` (what every axis is; the silent findings read from it) → ``rules/``
(the crash's failing op, its slice and the crash findings) → ``repair/`` (candidate sites →
edit templates → validation by re-running the script → ranking → the report). ``edit/`` is the
code editor every stage uses; ``findings.py`` the data they all produce.

``edits`` (libcst, ~0.5 s to import) is loaded on first use: a script that runs clean under
``tensorsight run`` never pays for the code editor.
"""
import importlib.util as _util
import sys as _sys
import types as _types


class _LazyModule(_types.ModuleType):
    # __name__, __file__, __spec__ are in the module's __dict__ already, so tools that scan
    # sys.modules (inspect.getmodule) see them without loading it; anything else loads it
    def __getattr__(self, name):
        spec = self.__spec__
        self.__class__ = _types.ModuleType
        spec.loader.exec_module(self)
        return getattr(self, name)


def _lazy(name: str) -> None:
    if name in _sys.modules:
        return
    spec = _util.find_spec(name)
    module = _util.module_from_spec(spec)
    module.__class__ = _LazyModule
    _sys.modules[name] = module


_lazy(__name__ + ".edit.edits")
