"""One row of the training history of a regularized parameter, and how it is measured."""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from .penalties import GroupLasso, Penalty


@dataclass
class Record:
    """The state of one regularized parameter after an optimizer step (step 0: at the start).

    norm: L2 norm; l1: sum |w|; median_abs: median |w|; sparsity: fraction of exact zeros;
    zero_groups: fraction of all-zero groups (GroupLasso only); scale: the weights' scale the
    penalty's step is compared with (median |w|, or the median group norm for GroupLasso);
    sign_flips: fraction of the weights, nonzero before and after, whose sign flipped since the
    previous record; change: median |w - previous w|; step_size: the optimizer's step for this
    parameter (median for per-element steps); momentum: its heavy-ball momentum;
    loss_grad_max: max |d loss / d w| with the penalty's own share taken out (None when there
    was no gradient).
    """

    step: int
    norm: float
    l1: float
    median_abs: float
    sparsity: float
    scale: float
    sign_flips: float = 0.0
    change: float = 0.0
    zero_groups: float | None = None
    step_size: float | None = None
    lr: float | None = None
    momentum: float = 0.0
    loss_grad_max: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def measure(step: int, w: torch.Tensor, prev: torch.Tensor | None, penalty: Penalty) -> Record:
    """Norms, sparsity and sign flips of ``w`` (detached), compared with ``prev``."""
    w = w.detach()
    a = w.abs().float().reshape(-1)
    n = max(a.numel(), 1)
    zero_groups = None
    scale_t = a.median() if a.numel() else torch.zeros(())
    if isinstance(penalty, GroupLasso) and w.dim() > penalty.dim:
        gn = penalty.group_norms(w.float()).reshape(-1)
        zero_groups = float((gn == 0).sum()) / max(gn.numel(), 1)
        scale_t = gn.median()
    flips = change = 0.0
    if prev is not None:
        sp, sw = torch.sign(prev), torch.sign(w)
        both = (sp != 0) & (sw != 0)
        nb = int(both.sum())
        flips = float(((sp * sw) < 0).sum()) / nb if nb else 0.0
        change = float((w - prev).abs().median()) if w.numel() else 0.0
    norm, l1, med, zeros, scale = torch.stack([
        a.norm(), a.sum(), a.median() if a.numel() else a.sum(), (a == 0).sum().float(),
        scale_t.float()]).tolist()
    return Record(step=step, norm=norm, l1=l1, median_abs=med, sparsity=zeros / n, scale=scale,
                  sign_flips=flips, change=change, zero_groups=zero_groups)
