"""The helpers every attack shares (advgen.attacks.base): checks, norms, margin, top classes,
the restart loop."""

from __future__ import annotations

import math

import pytest
import torch

from advgen.attacks.base import batch_view, check_budget, l2_view, margin, top_classes
from advgen.attacks.fields import check_choice
from advgen.attacks.params import NORMS
from advgen.attacks.restarts import restart_loop
from advgen.errors import ConfigError


def test_checks_give_one_line_config_errors():
    check_budget("X", 0.0, n_iter=1)
    with pytest.raises(ConfigError, match="X: eps must be a finite number >= 0, got -1"):
        check_budget("X", -1)
    with pytest.raises(ConfigError, match="eps must be a finite"):
        check_budget("X", math.inf)
    with pytest.raises(ConfigError, match="X: n_iter must be >= 1, got 0"):
        check_budget("X", 0.3, n_iter=0)
    check_choice("X", "norm", "l2", NORMS)
    with pytest.raises(ConfigError, match=r"X: unknown norm 'l1' \(expected one of linf, l2\)"):
        check_choice("X", "norm", "l1", NORMS)


def test_norm_views_broadcast_per_example():
    t = torch.tensor([[3.0, 4.0], [0.0, 0.0]]).view(2, 1, 1, 2)
    assert batch_view(torch.tensor([1.0, 2.0]), 4).shape == (2, 1, 1, 1)
    assert torch.equal(l2_view(t).flatten(), torch.tensor([5.0, 0.0]))


def test_margin_is_the_true_logit_minus_the_best_other():
    logits = torch.tensor([[2.0, 5.0, 1.0], [4.0, 3.0, -1.0]])
    y = torch.tensor([0, 0])
    assert torch.equal(margin(logits, y), torch.tensor([-3.0, 1.0]))


def test_top_classes_are_the_runners_up_in_order_capped_at_classes_minus_one():
    model = torch.nn.Identity()
    x = torch.tensor([[0.1, 0.9, 0.5, 0.3], [0.4, 0.2, 0.3, 0.8]])
    assert torch.equal(top_classes(model, x, 2), torch.tensor([[2, 3], [0, 2]]))
    assert top_classes(model, x, 9).shape == (2, 3)


def test_the_restart_loop_attacks_only_the_inputs_still_robust():
    out, robust = torch.zeros(4), torch.tensor([True, True, False, True])
    calls = []

    def run(todo):
        calls.append(todo.tolist())
        fooled = todo == todo[0]  # each restart fools the first input it gets
        return torch.full((todo.numel(),), float(len(calls))), fooled

    restart_loop(out, robust, 5, run)
    assert calls == [[0, 1, 3], [1, 3], [3]]
    assert out.tolist() == [1.0, 2.0, 0.0, 3.0] and not robust.any()
