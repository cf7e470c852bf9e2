"""``advgen adversarial-examples``: the review's Figs. 2-3 for one classifier and its attacks."""

from __future__ import annotations

import argparse

HELP = "figure: clean input, magnified perturbation and adversarial input with predicted label/confidence, per attack"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--classifier", required=True, help="input: classifier checkpoint (.pt)")
    p.add_argument("--test", required=True, help="input: prepared test split (.pt)")
    p.add_argument(
        "--spec",
        required=True,
        help="JSON: {attacks: {name: robustness.attacks entry with a scalar eps}, num_images, seed, experiment, dpi}",
    )
    p.add_argument("--out", nargs="+", required=True, help="outputs: figure paths (.png, .svg, .pdf)")


def main(args: argparse.Namespace) -> None:
    import torch

    from advgen.classifiers import load_classifier
    from advgen.config import parse_spec
    from advgen.data import load_prepared
    from advgen.errors import ConfigError
    from advgen.plots.adversarial import adversarial_examples
    from advgen.robustness.evaluate import make_attack

    spec = parse_spec(args.spec)
    attacks = spec.get("attacks") or {}
    if not attacks:
        raise ConfigError("--spec: attacks: give at least one attack")
    model = load_classifier(args.classifier)
    test = load_prepared(args.test)
    n = int(spec.get("num_images", 3))
    with torch.no_grad():
        correct = (model(test.images).argmax(1) == test.labels).nonzero().flatten()
    gen = torch.Generator().manual_seed(int(spec.get("seed", 0)))
    pick = correct[torch.randperm(len(correct), generator=gen)[:n]]
    x, y = test.images[pick], test.labels[pick]
    examples = {}
    for name in sorted(attacks):
        entry = attacks[name]
        if isinstance(entry.get("eps"), list):
            raise ConfigError(f"--spec: attacks.{name}.eps: one budget, not a list")
        atk = make_attack(entry, model)
        atk.eps = float(entry["eps"])
        adv = atk.generate(x, y)
        with torch.no_grad():
            p_clean, p_adv = torch.softmax(model(x), 1), torch.softmax(model(adv), 1)
        examples[f"{name} (eps {atk.eps:g})"] = {
            "clean": x,
            "adv": adv,
            "label": y.tolist(),
            "pred_clean": p_clean.argmax(1).tolist(),
            "conf_clean": p_clean.amax(1).tolist(),
            "pred_adv": p_adv.argmax(1).tolist(),
            "conf_adv": p_adv.amax(1).tolist(),
        }
    adversarial_examples(
        examples,
        args.out,
        experiment=spec.get("experiment", "adversarial examples"),
        dpi=int(spec.get("dpi", 150)),
    )
