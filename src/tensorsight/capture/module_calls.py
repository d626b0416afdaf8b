"""Module-call bookkeeping of the Recorder: which module each op runs in, and when to record.

Global forward hooks (``register_module_forward_pre_hook``) see every module call without
touching the model: the pre-hook opens a :class:`ModuleCall` (its path in the module tree, its
inputs and keyword arguments, the user's line that called it), the post-hook closes it with the
outputs. In a watched training run (``dedupe``) a module call with a signature already seen is
not recorded again, and the recorder steps off torch's mode stack until a new one comes (see
``pause``). The op hook itself (``__torch_function__``) is capture.recorder's job; this mixin
works on the attributes ``Recorder.__init__`` sets.
"""
from __future__ import annotations

import os
import sys
import warnings
import weakref

import torch

from .events import ModuleCall
from .source import user_frame, user_stack
from .walk import _walk_tensors


class ModuleCalls:
    """Module boundaries and the recording switch, mixed into capture.recorder.Recorder."""

    # -- switching off between new signatures -------------------------------------------------
    def pause(self) -> None:
        """Stop recording until ``resume``. When this mode is the innermost one it is popped off
        torch's mode stack, so the user's ops stop paying for a Python call into the recorder."""
        if not self.active:
            return
        self.active = False
        self._pop_pending = True
        self._pop_if_innermost()

    def _pop_if_innermost(self) -> None:
        # inside our own __torch_function__ (e.g. loss.backward() reaching the watcher) torch has
        # taken the mode off the stack for the call: the pop then waits for the next module call
        stack = torch._C._len_torch_function_stack()
        if stack and torch._C._get_function_stack_at(stack - 1) is self:
            torch._C._pop_torch_function_stack()
            self._paused_depth = stack - 1
            self._pop_pending = False

    def resume(self) -> None:
        if self.active:
            return
        self._pop_pending = False
        if self._paused_depth is not None:
            if torch._C._len_torch_function_stack() != self._paused_depth:
                return  # another mode was entered meanwhile: pushing now would upset its exit
            torch._C._push_on_torch_function_stack(self)
            self._paused_depth = None
        self.active = True

    # -- module boundaries -------------------------------------------------------------------
    def _watch_modules(self) -> None:
        from torch.nn.modules import module as M
        self._hooks = [
            M.register_module_forward_pre_hook(self._pre_hook),
            M.register_module_forward_hook(self._post_hook, always_call=True),
        ]
        self._showwarning = warnings.showwarning
        warnings.showwarning = _at_user_line(self._showwarning)

    def _unwatch_modules(self) -> None:
        for h in self._hooks:
            h.remove()
        self._hooks = []
        warnings.showwarning = self._showwarning

    def _tree_name(self, top: torch.nn.Module, module: torch.nn.Module) -> str | None:
        """``module``'s name inside the top-level module ``top`` (``layers.3.mlp``), from one
        walk of ``top``'s tree: ModuleList items looped over in forward get their real names."""
        names = self._children.get(id(top))
        if names is None:
            names = {id(m): n for n, m in top.named_modules() if n}
            self._children[id(top)] = names
        return names.get(id(module))

    def _pre_hook(self, module, args):
        if self.suspended:
            return
        if self._pop_pending:
            self._pop_if_innermost()
        if self._stack:
            top, top_path, _ = self._stack[0]
            name = self._tree_name(top, module)
            if name is not None:
                path = f"{top_path}.{name}" if top_path else name
            else:  # a module called from inside another one without being part of its tree
                ppath = self._stack[-1][1]
                path = f"{ppath}.{type(module).__name__}" if ppath else type(module).__name__
        else:
            if self._root is None:  # watching a script: name top-level modules by their class
                path = type(module).__name__
                known = self.module_objects.get(path)
                n = 2
                while known is not None and known() is not module:
                    path = f"{type(module).__name__}#{n}"
                    known = self.module_objects.get(path)
                    n += 1
            else:
                path = "" if module is self._root else type(module).__name__
        call = None
        key = None
        kwargs = _call_kwargs()
        if self.dedupe:
            key = (id(module), module.training, _arg_signature(args), _arg_signature(kwargs))
            if key in self._seen_calls or len(self.trace.modules) >= self.max_events:
                key = None
            else:
                self.resume()  # a new call signature: record its ops (until the next step)
        if not self.dedupe or key is not None:
            if self.full_stacks:
                stack = user_stack(2, stop=self.stop)
            else:
                fr = user_frame(2)
                stack = (fr,) if fr is not None else ()
            call = ModuleCall(path=path, type=type(module).__name__, depth=len(self._stack),
                              start=len(self.trace.events), end=len(self.trace.events),
                              inputs=self._metas(args), where=stack[-1] if stack else None,
                              kwargs=self._kwarg_metas(kwargs))
            self.trace.modules.append(call)
            if key is not None:
                self._seen_calls.add(key)
            if path not in self.module_objects:
                self.module_objects[path] = weakref.ref(module)
        self._stack.append((module, path, call))

    def _post_hook(self, module, args, output):
        if self.suspended or not self._stack:
            return
        mod, path, call = self._stack.pop()
        if call is not None:
            call.end = len(self.trace.events)
            call.outputs = self._metas(output)

    @property
    def module_path(self) -> str:
        return self._stack[-1][1] if self._stack else ""


def _at_user_line(show):
    """torch's own warnings (broadcasting in a loss...) are raised from the frame that called the
    op, which is ours while recording: show them at the user's line instead."""
    from .source import _OWN_DIR

    def showwarning(message, category, filename, lineno, file=None, line=None):
        if filename.startswith(_OWN_DIR):
            fr = user_frame(2)
            if fr is not None:
                filename, lineno, line = fr.file, fr.line, fr.code
        return show(message, category, filename, lineno, file, line)
    return showwarning


_MODULE_PY = os.path.join("nn", "modules", "module.py")
# the code objects of torch's call machinery seen so far: this runs on every module call in
# watch mode, so the file-name test is made once per code object, not once per call
_CALL_CODES: dict = {}


def _call_kwargs() -> dict:
    """The keyword arguments of the module call being made: a global forward pre-hook gets only
    the positional ones, and torch's ``_call_impl`` (``inner``) that calls it holds ``kwargs``."""
    f = sys._getframe(2)
    for _ in range(3):
        if f is None:
            return {}
        code = f.f_code
        is_call = _CALL_CODES.get(code)
        if is_call is None:
            is_call = _CALL_CODES[code] = code.co_filename.endswith(_MODULE_PY) and (
                "kwargs" in code.co_varnames or "kwargs" in code.co_freevars)
        if is_call:
            kw = f.f_locals.get("kwargs")
            return kw if isinstance(kw, dict) else {}
        f = f.f_back
    return {}


def _arg_signature(args) -> tuple:
    sig: list = []
    _walk_tensors(args, lambda t: sig.append((tuple(t.shape), t.dtype)))
    return tuple(sig)
