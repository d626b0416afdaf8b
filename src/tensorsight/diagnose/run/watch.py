"""The watcher: what ``tensorsight run`` keeps an eye on while the user's script runs for real.

- a deduplicating Recorder (each op/call-site/shape signature is recorded once, so a long run
  pays for its first step only);
- where each nn.Module and DataLoader was created (the line a fix must edit);
- optimizer steps (``--max-steps``, first-step checks, the L1 oscillation watch);
- backward passes, which mark the training steps of scripts that update weights by hand or
  only step an optimizer once for many passes (LBFGS), so recording switches off there too.
"""
from __future__ import annotations

import sys
import weakref
from dataclasses import dataclass, field

import torch

from ...capture.events import Frame
from ...capture.module_calls import _arg_signature
from ...capture.recorder import Recorder
from ...capture.source import is_user_file, make_frame


# optimizer steps recorded in full; after them only ops of module calls with new signatures are
WARMUP_STEPS = 2
# batch shapes remembered (padded text batches each have their own; past this, no more resumes)
MAX_BATCH_SHAPES = 4096


class StopRun(BaseException):
    """Raised from an optimizer hook to stop the script after --max-steps (not an Exception,
    so the user's own ``except Exception`` cannot swallow it)."""


@dataclass
class LoaderInfo:
    loader: weakref.ref
    where: Frame | None
    dataset_len: int | None
    batch_size: int | None
    drop_last: bool
    iterated: bool = False

    @property
    def last_batch(self) -> int | None:
        if not self.dataset_len or not self.batch_size or self.drop_last:
            return None
        rest = self.dataset_len % self.batch_size
        return rest or None


def creation_frame(obj) -> Frame | None:
    """The user line that created ``obj`` (skipping frames of obj's own __init__)."""
    f = sys._getframe(2)
    while f is not None:
        code = f.f_code
        if is_user_file(code.co_filename) and f.f_locals.get("self") is not obj:
            return make_frame(code, f.f_lineno)
        f = f.f_back
    return None


@dataclass
class Watcher:
    max_steps: int | None = None
    recorder: Recorder = field(default_factory=lambda: Recorder(dedupe=True))
    module_sites: "weakref.WeakKeyDictionary" = field(default_factory=weakref.WeakKeyDictionary)
    loaders: list[LoaderInfo] = field(default_factory=list)
    steps: int = 0
    backward_passes: int = 0
    optimizers: list = field(default_factory=list)
    on_first_step: list = field(default_factory=list)   # callables(watcher)
    on_step: list = field(default_factory=list)         # callables(watcher, optimizer)

    def __post_init__(self):
        self._undo: list = []

    # -- install / uninstall -----------------------------------------------------------------
    def __enter__(self):
        self._patch_init(torch.nn.Module, self._module_created)
        from torch.utils.data import DataLoader
        self._patch_init(DataLoader, self._loader_created)
        orig_iter = DataLoader.__iter__
        watcher = self

        def __iter__(loader):
            for info in watcher.loaders:
                if info.loader() is loader:
                    info.iterated = True
            return orig_iter(loader)
        DataLoader.__iter__ = __iter__
        self._undo.append(lambda: setattr(DataLoader, "__iter__", orig_iter))
        from torch.utils.data.dataloader import _BaseDataLoaderIter
        orig_next = _BaseDataLoaderIter.__next__
        batches: set = set()

        def __next__(it):
            batch = orig_next(it)
            # a batch of a shape not seen yet (the last, partial one) switches recording on
            # before the step's first module call: what the loop does to the batch before the
            # model (``y.squeeze()``) is in the trace of that step too
            try:
                sig = _arg_signature(batch)
                if sig not in batches and len(batches) < MAX_BATCH_SHAPES:
                    batches.add(sig)
                    watcher.recorder.resume()
            except Exception:  # noqa: BLE001 - bookkeeping must never break the user's loop
                pass
            return batch
        _BaseDataLoaderIter.__next__ = __next__
        self._undo.append(lambda: setattr(_BaseDataLoaderIter, "__next__", orig_next))
        orig_from_numpy = torch.from_numpy

        def from_numpy(array):
            out = orig_from_numpy(array)
            watcher.recorder.external("torch.from_numpy", out)
            return out
        torch.from_numpy = from_numpy
        self._undo.append(lambda: setattr(torch, "from_numpy", orig_from_numpy))
        from torch.optim.optimizer import register_optimizer_step_post_hook
        handle = register_optimizer_step_post_hook(self._after_step)
        self._undo.append(handle.remove)
        orig_backward = torch.autograd.backward

        def backward(*args, **kwargs):
            try:
                return orig_backward(*args, **kwargs)
            finally:
                watcher._after_backward()
        backward.__wrapped__ = orig_backward
        torch.autograd.backward = backward
        self._undo.append(lambda: setattr(torch.autograd, "backward", orig_backward))
        orig_train = torch.nn.Module.train

        evaluated: set[int] = set()

        def train(module, mode=True):
            # switching a model to eval after the warm-up starts a phase not seen yet (evaluation,
            # test-time augmentation): record its first time too, until the next step pauses
            # again; later epochs' evaluations are the same phase and stay unrecorded
            warm = watcher.steps >= WARMUP_STEPS or watcher.backward_passes >= WARMUP_STEPS
            if not mode and warm and id(module) not in evaluated:
                evaluated.add(id(module))
                watcher.recorder.resume()
            return orig_train(module, mode)
        train.__wrapped__ = orig_train
        torch.nn.Module.train = train
        self._undo.append(lambda: setattr(torch.nn.Module, "train", orig_train))
        self.recorder.__enter__()
        return self

    def __exit__(self, *exc):
        try:
            self.recorder.__exit__(*exc)
        finally:
            for undo in reversed(self._undo):
                undo()
            self._undo = []
        return False

    def _patch_init(self, cls, callback):
        orig = cls.__init__

        def __init__(obj, *args, **kwargs):
            orig(obj, *args, **kwargs)
            if type(obj).__init__ is not None:
                try:
                    callback(obj)
                except Exception:  # noqa: BLE001 - bookkeeping must never break the user's code
                    pass
        __init__.__wrapped__ = orig
        cls.__init__ = __init__
        self._undo.append(lambda: setattr(cls, "__init__", orig))

    def _module_created(self, module):
        if module not in self.module_sites:
            self.module_sites[module] = creation_frame(module)

    def _loader_created(self, loader):
        try:
            n = len(loader.dataset)
        except Exception:  # noqa: BLE001 - iterable datasets have no length
            n = None
        bs = loader.batch_size
        self.loaders.append(LoaderInfo(weakref.ref(loader), creation_frame(loader), n, bs, bool(loader.drop_last)))

    # -- optimizer steps ---------------------------------------------------------------------
    def _after_step(self, optimizer, args, kwargs):
        self.steps += 1
        if self.steps >= WARMUP_STEPS:
            self.recorder.pause()  # steps repeat: record again only for new call signatures
        if optimizer not in self.optimizers:
            self.optimizers.append(optimizer)
        for fn in self.on_step:
            fn(self, optimizer)
        if self.steps == 1:
            for fn in self.on_first_step:
                fn(self)
        if self.max_steps is not None and self.steps >= self.max_steps:
            raise StopRun(f"stopped after {self.steps} optimizer steps (--max-steps)")

    def _after_backward(self):
        # with an optimizer, its steps mark the training steps; without one (weights updated by
        # hand) or before its first step (LBFGS runs many passes inside one step), backward does
        self.backward_passes += 1
        if not self.steps and self.backward_passes >= WARMUP_STEPS:
            self.recorder.pause()

    # -- queries -----------------------------------------------------------------------------
    @property
    def trace(self):
        return self.recorder.trace

    def module(self, path: str):
        ref = self.recorder.module_objects.get(path)
        return ref() if ref is not None else None

    def site(self, module) -> Frame | None:
        try:
            hit = self.module_sites.get(module)
        except TypeError:
            return None
        if hit is None:
            hit = self._site_by_source(module)
        return hit

    def _site_by_source(self, module) -> Frame | None:
        """A module built before we were watching: find ``self.<name> = ...`` in its parent's class."""
        import inspect
        import re
        for path, ref in self.recorder.module_objects.items():
            if ref() is not module or "." not in path:
                continue
            parent_path, name = path.rsplit(".", 1)
            parent_ref = self.recorder.module_objects.get(parent_path)
            parent = parent_ref() if parent_ref is not None else None
            if parent is None or not name.isidentifier():
                continue
            try:
                lines, start = inspect.getsourcelines(type(parent))
                file = inspect.getsourcefile(type(parent))
            except (OSError, TypeError):
                continue
            pattern = re.compile(rf"^\s*self\.{re.escape(name)}\s*=")
            for i, text in enumerate(lines):
                if pattern.match(text):
                    return Frame(file, start + i, "__init__", text.strip())
        return None

    def batch_sizes(self) -> set[int]:
        """Batch sizes the data loaders hand out (the first full batch and the last one)."""
        out = set()
        for info in self.loaders:
            if info.iterated and info.batch_size:
                out.add(info.batch_size)
        return out
