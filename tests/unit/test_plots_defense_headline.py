"""The purification figure draws the headline (strongest adaptive) and grey-box summary rows."""

from __future__ import annotations

import matplotlib
import pandas as pd

from advgen.plots import defense

matplotlib.use("Agg")


def table() -> pd.DataFrame:
    rows = []
    for name, method in (("none", "none"), ("gan", "project")):
        attacks = (
            ["none", "pgd"]
            if name == "none"
            else ["none", "pgd", "bpda", "unroll", "strongest_greybox", "strongest_adaptive"]
        )
        for attack in attacks:
            for eps in [0.0] if attack == "none" else [0.1, 0.2]:
                acc = {
                    "none": 0.95,
                    "pgd": 0.5,
                    "bpda": 0.45,
                    "unroll": 0.2,
                    "strongest_greybox": 0.5,
                    "strongest_adaptive": 0.2,
                }[attack] - (eps - 0.1)
                rows.append(
                    {
                        "defense": name,
                        "method": method,
                        "attack": attack,
                        "eps": eps,
                        "steps": 10,
                        "restarts": 2,
                        "operating": True,
                        "robust_acc": acc,
                    }
                )
    return pd.DataFrame(rows)


def test_purify_curves_label_headline_and_greybox(tmp_path, monkeypatch) -> None:
    labels = []
    save = defense.style.save

    def spy(fig, paths, **kwargs):
        labels.extend(lab for ax in fig.axes for lab in ax.get_legend_handles_labels()[1])
        save(fig, paths, **kwargs)

    monkeypatch.setattr(defense.style, "save", spy)
    out = tmp_path / "purify_eps.png"
    defense.purify_curves(table(), [out])
    assert out.stat().st_size > 0
    assert "HEADLINE: strongest adaptive" in labels and "grey-box (strongest)" in labels
    assert "adaptive PGD through the full unroll" in labels
