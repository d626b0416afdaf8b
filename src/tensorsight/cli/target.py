"""Load what the user named on the command line: ``file.py:Name`` or ``package.module:Name``.

Name may be an nn.Module class (built with ``--arg key=value``), a module instance, or a
function returning one. The file is imported as a module (not ``__main__``), so a script's
``if __name__ == "__main__":`` block does not run.
"""
from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import os
import sys

from ..errors import TensorsightError


def parse_kv(items: list[str] | None) -> dict:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.isidentifier():
            raise TensorsightError(f"cannot read --arg {item!r}; write it as key=value, e.g. --arg num_classes=10")
        try:
            out[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            out[key] = value  # a bare word stays a string
    return out


def _import_file(path: str):
    if not os.path.exists(path):
        raise TensorsightError(f"no such file {path!r}; give TARGET as path/to/file.py:Name or package.module:Name")
    name = "_tensorsight_target_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    folder = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, folder)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise TensorsightError(f"{path} has a syntax error at line {exc.lineno}: {exc.msg}") from None
    return module


def load_target(target: str, ctor_args: dict | None = None):
    """Return the nn.Module (or callable) that TARGET names, built with ``ctor_args``."""
    import torch

    path, sep, name = target.rpartition(":")
    if not sep or not name:
        raise TensorsightError(
            f"TARGET {target!r} names no model; write path/to/file.py:Name or package.module:Name")
    if path.endswith(".py") or os.sep in path or os.path.exists(path):
        module = _import_file(path)
    else:
        try:
            module = importlib.import_module(path)
        except ModuleNotFoundError as exc:
            raise TensorsightError(f"cannot import {path!r} ({exc}); is it installed or on PYTHONPATH?") from None
    if not hasattr(module, name):
        found = [n for n, v in vars(module).items() if not n.startswith("_") and (
            isinstance(v, torch.nn.Module) or (inspect.isclass(v) and issubclass(v, torch.nn.Module)))]
        hint = f"; it defines {', '.join(found)}" if found else ""
        raise TensorsightError(f"{path} has no {name!r}{hint}")
    obj = getattr(module, name)
    kwargs = ctor_args or {}
    if isinstance(obj, torch.nn.Module):
        if kwargs:
            raise TensorsightError(f"{name} is already a built model; --arg only applies to classes and factories")
        return obj
    if inspect.isclass(obj) and issubclass(obj, torch.nn.Module) or callable(obj):
        try:
            inspect.signature(obj).bind(**kwargs)
        except TypeError as exc:
            raise TensorsightError(f"cannot build {name}: {exc}; pass constructor arguments as --arg key=value") from None
        except ValueError:
            pass
        built = obj(**kwargs)
        if inspect.isclass(obj) or isinstance(built, torch.nn.Module):
            return built
        raise TensorsightError(f"{name}() returned {type(built).__name__}, not an nn.Module")
    raise TensorsightError(f"{name} is a {type(obj).__name__}, not an nn.Module class, instance or factory")
