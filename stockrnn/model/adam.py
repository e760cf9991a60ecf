"""Adam for CPU training, outside torch.optim.

torch.optim's Optimizer imports torch._dynamo the first time one is built (its step wrapper
and add_param_group check whether they are being compiled): 0.9 s on a quiet 2-core machine
and 5 s under load, against about 6 s for `import torch` itself (python -X importtime;
docs/performance.md). Every `train` and `tune` paid it before its first step. This is the
same update, written with torch's own foreach kernels in the order torch.optim.Adam's
foreach path applies them, so the weights after any number of steps equal torch.optim.Adam's
bit for bit (tests/model/test_adam.py). CUDA keeps torch's fused, capturable Adam, which the
CUDA graph captures (model/cuda_graph.py).
"""

from __future__ import annotations

from collections.abc import Iterable

import torch


class Adam:
    """Adam (Kingma & Ba) without weight decay or amsgrad, as torch.optim.Adam computes it."""

    def __init__(
        self,
        params: Iterable[torch.nn.Parameter],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.betas, self.eps = lr, betas, eps
        self.steps = 0
        self.exp_avg = [
            torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params
        ]
        self.exp_avg_sq = [
            torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params
        ]

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.detach_().zero_()

    @torch.no_grad()
    def step(self) -> None:
        """One update of every parameter that has a gradient (all of them, in training)."""
        live = [i for i, p in enumerate(self.params) if p.grad is not None]
        if not live:
            return
        params: list[torch.Tensor] = [self.params[i] for i in live]
        grads = [g for i in live if (g := self.params[i].grad) is not None]
        exp_avg = [self.exp_avg[i] for i in live]
        exp_avg_sq = [self.exp_avg_sq[i] for i in live]
        beta1, beta2 = self.betas
        self.steps += 1
        torch._foreach_lerp_(exp_avg, grads, 1 - beta1)
        torch._foreach_mul_(exp_avg_sq, beta2)
        torch._foreach_addcmul_(exp_avg_sq, grads, grads, 1 - beta2)
        step_size = -self.lr / (1 - beta1**self.steps)
        correction2_sqrt = (1 - beta2**self.steps) ** 0.5
        denom = torch._foreach_sqrt(exp_avg_sq)
        torch._foreach_div_(denom, correction2_sqrt)
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(params, exp_avg, denom, step_size)


def for_device(
    model: torch.nn.Module, device: torch.device, lr: float, capturable: bool
) -> Adam | torch.optim.Adam:
    """This Adam on CPU; torch's fused Adam on CUDA (capturable for a CUDA graph)."""
    if device.type == "cpu":
        return Adam(model.parameters(), lr=lr)
    return torch.optim.Adam(model.parameters(), lr=lr, fused=True, capturable=capturable)
