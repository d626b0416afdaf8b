"""Load what the user named on the command line: ``file.py:Name`` or ``package.module:Name``.

Name may be an nn.Module class (built with ``--arg key=value``), a module instance, or a
function returning one. The file is imported as a module (not ``__main__``), so a script's
``if __name__ == "__main__":`` block does not run.

What the user typed wrongly (a folder, a file that is not Python, a missing name, an --arg that
does not fit the constructor) is a TensorsightError; what the user's own code raises while it is
imported or while the model is built is a UserCodeError (their traceback, exit code 1).
"""
from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import os
import sys

from ..errors import TensorsightError, UserCodeError

_EXAMPLE = "write path/to/file.py:Name or package.module:Name"
ARG_VALUE_MAX = 10_000  # characters of one --arg value: literal_eval of more is a memory hazard


def parse_kv(items: list[str] | None) -> dict:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.isidentifier():
            raise TensorsightError(f"cannot read --arg {_short(item)!r}; write it as key=value, e.g. --arg num_classes=10")
        if len(value) > ARG_VALUE_MAX:
            raise TensorsightError(f"--arg {key}= is {len(value):,} characters long; the limit is "
                                   f"{ARG_VALUE_MAX:,} (docs/limits.md)")
        try:
            out[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            out[key] = value  # a bare word stays a string
    return out


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[:n - 3] + "..."


def _import_file(path: str):
    if not os.path.exists(path):
        raise TensorsightError(f"no such file {path!r}; {_EXAMPLE}")
    if os.path.isdir(path):
        raise TensorsightError(f"{path!r} is a folder, not a Python file; {_EXAMPLE} "
                               f"(e.g. {os.path.join(path, 'model.py')}:Net)")
    if not path.endswith(".py"):
        raise TensorsightError(f"{path!r} is not a Python file (.py); {_EXAMPLE}")
    if not os.access(path, os.R_OK):
        raise TensorsightError(f"cannot read {path!r}: permission denied")
    stem = os.path.splitext(os.path.basename(path))[0]
    name = "_tensorsight_target_" + "".join(c if c.isalnum() else "_" for c in stem)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise TensorsightError(f"{path!r} cannot be imported as a Python file; {_EXAMPLE}")
    module = importlib.util.module_from_spec(spec)
    folder = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, folder)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        if exc.filename and os.path.abspath(exc.filename) != os.path.abspath(path):
            raise UserCodeError(f"importing {path}", exc) from None
        raise TensorsightError(f"{path} has a syntax error at line {exc.lineno}: {exc.msg}") from None
    except (KeyboardInterrupt, MemoryError):
        raise
    except UnicodeDecodeError as exc:
        raise TensorsightError(f"{path} is not text Python can read ({exc.reason} at byte {exc.start})") from None
    except BaseException as exc:  # noqa: BLE001 - the user's file raised (SystemExit included): theirs
        sys.modules.pop(name, None)
        raise UserCodeError(f"importing {path}", exc) from None
    return module


def _import_module(path: str):
    if not all(part.isidentifier() for part in path.split(".")):
        raise TensorsightError(f"{path!r} is neither a .py file nor a module name; {_EXAMPLE}")
    try:
        return importlib.import_module(path)
    except ModuleNotFoundError as exc:
        if exc.name and (path == exc.name or path.startswith(exc.name + ".")):
            raise TensorsightError(f"cannot import {path!r} ({exc}); is it installed or on PYTHONPATH?") from None
        raise UserCodeError(f"importing {path}", exc) from None
    except (KeyboardInterrupt, MemoryError):
        raise
    except BaseException as exc:  # noqa: BLE001 - the module's own code raised
        raise UserCodeError(f"importing {path}", exc) from None


def load_target(target: str, ctor_args: dict | None = None):
    """Return the nn.Module (or callable) that TARGET names, built with ``ctor_args``."""
    path, sep, name = target.rpartition(":")
    if not sep or not name:
        raise TensorsightError(f"TARGET {_short(target)!r} names no model; {_EXAMPLE}")
    if not path:
        raise TensorsightError(f"TARGET {_short(target)!r} names no file or module before ':'; {_EXAMPLE}")
    if not all(part.isidentifier() for part in name.split(".")):
        raise TensorsightError(f"{_short(name)!r} after ':' in TARGET is not a Python name; {_EXAMPLE}")
    if path.endswith(".py") or os.sep in path or (os.altsep or os.sep) in path or os.path.exists(path):
        module = _import_file(path)
    else:
        module = _import_module(path)
    import torch
    obj = module
    for part in name.split("."):
        if not hasattr(obj, part):
            found = [n for n, v in vars(module).items() if not n.startswith("_") and (
                isinstance(v, torch.nn.Module) or (inspect.isclass(v) and issubclass(v, torch.nn.Module)))]
            hint = f"; it defines {', '.join(found)}" if found else ""
            raise TensorsightError(f"{path} has no {name!r}{hint}")
        obj = getattr(obj, part)
    kwargs = ctor_args or {}
    if isinstance(obj, torch.nn.Module):
        if kwargs:
            raise TensorsightError(f"{name} is already a built model; --arg only applies to classes and factories")
        return traceable(obj, name)
    if inspect.isclass(obj) and issubclass(obj, torch.nn.Module) or callable(obj):
        try:
            inspect.signature(obj).bind(**kwargs)
        except TypeError as exc:
            raise TensorsightError(f"cannot build {name}: {exc}; pass constructor arguments as --arg key=value") from None
        except ValueError:
            pass
        built = _build(obj, name, kwargs)
        if isinstance(built, torch.nn.Module):
            return traceable(built, name)
        if inspect.isclass(obj):
            return built
        raise TensorsightError(f"{name}() returned {type(built).__name__}, not an nn.Module")
    raise TensorsightError(f"{name} is a {type(obj).__name__}, not an nn.Module class, instance or factory")


def traceable(model, name: str):
    """The Python module behind a compiled one: ``torch.compile(m)`` computes what ``m`` computes,
    so ``m`` is traced (its parameters are the same objects). TorchScript has no Python forward
    to trace: one sentence."""
    import torch
    inner = getattr(model, "_orig_mod", None)
    if isinstance(inner, torch.nn.Module) and type(model).__name__ == "OptimizedModule":
        print(f"tensorsight: {name} is torch.compile'd; tracing the module it compiles "
              f"({type(inner).__name__}), which computes the same shapes", file=sys.stderr)
        return inner
    if isinstance(model, torch.jit.ScriptModule):
        raise TensorsightError(f"{name} is a TorchScript module ({type(model).__name__}, "
                               f"from torch.jit.script or torch.jit.trace): it has no Python forward "
                               f"to trace; name the nn.Module it was made from instead")
    return model


def _build(obj, name: str, kwargs: dict):
    """``obj(**kwargs)``: an --arg value of the wrong kind is the user's typing (exit 2); anything
    else the constructor raises is their code (their traceback, exit 1)."""
    call = f"{name}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
    try:
        return obj(**kwargs)
    except (KeyboardInterrupt, MemoryError):
        raise
    except (TypeError, ValueError, OverflowError, RuntimeError, IndexError, KeyError) as exc:
        if kwargs:  # what the constructor rejects is most likely the value typed for it
            first = (str(exc).splitlines() or [""])[0]
            raise TensorsightError(f"building {_short(call, 120)} raised {type(exc).__name__}: {_short(first, 200)}; "
                                   f"check the --arg values") from None
        raise UserCodeError(f"building {call}", exc) from None
    except BaseException as exc:  # noqa: BLE001 - the user's constructor raised
        raise UserCodeError(f"building {call}", exc) from None
