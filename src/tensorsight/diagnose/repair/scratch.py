"""A re-run writes none of the user's files.

Validating a fix re-runs the user's script (repair/validate.py), and scripts write: checkpoints
at the end of an epoch, logs, CSVs of metrics. A re-run trained on a few batches must not
overwrite the checkpoint the real run just saved. In the re-run's child process every file
opened for writing (``open``, ``io.open``, ``Path.open``/``write_text``, ``torch.save`` to a
path) goes to a scratch folder instead, and a read of such a file later in the same re-run gets
the scratch copy, so a script that saves and loads again behaves as it would. The parent
removes the folder once the child is reaped.
"""
from __future__ import annotations

import builtins
import io
import os
import shutil

_WRITES = set("wax+")


def redirect_writes(folder: str) -> None:
    """From now on, in this process, writes to files outside ``folder`` land inside it."""
    moved: dict[str, str] = {}
    real_open = builtins.open
    inside = os.path.realpath(folder) + os.sep

    def place(file, mode: str):
        if isinstance(file, int) or not isinstance(file, (str, bytes, os.PathLike)):
            return file  # a descriptor or a file object: the caller made it
        path = os.path.realpath(os.fsdecode(file))
        if path.startswith(inside):
            return file
        if _WRITES & set(mode):
            if path not in moved:
                dest = os.path.join(inside, f"{len(moved)}-{os.path.basename(path)}")
                if ("a" in mode or "+" in mode) and os.path.isfile(path):
                    # appends and updates start from the file as it is
                    with real_open(path, "rb") as src, real_open(dest, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                moved[path] = dest
            return moved[path]
        return moved.get(path, file)

    def open_(file, mode="r", *args, **kwargs):
        return real_open(place(file, mode), mode, *args, **kwargs)

    builtins.open = io.open = open_

    import torch
    real_save, real_load = torch.save, torch.load

    def save(obj, f, *args, **kwargs):
        return real_save(obj, place(f, "wb"), *args, **kwargs)

    def load(f, *args, **kwargs):
        return real_load(place(f, "rb"), *args, **kwargs)

    torch.save, torch.load = save, load
