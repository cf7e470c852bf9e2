"""The robustness review's Figs. 2-3 for one classifier: clean test images it classifies
correctly, each attack's perturbation (magnified) and adversarial image, with the predicted
labels and confidences (Szegedy et al. 2014; Goodfellow et al. 2015).

:func:`attack_examples` picks the images and runs the attacks; :func:`adversarial_examples`
is the figure family's job (``advgen adversarial-examples``), one per classifier.
torch is imported inside the functions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from advgen.errors import ConfigError
from advgen.jobfiles import Files
from advgen.plots.families import drawing
from advgen.plots.figure_specs import ExamplesSpec


def attack_examples(
    model: Any, images: Any, labels: Any, attacks: Mapping[str, Any], *, num_images: int, seed: int
) -> dict[str, dict[str, Any]]:
    """``{"<attack> (eps <eps>)": example}`` for :func:`advgen.plots.adversarial.adversarial_examples`:
    ``num_images`` correctly classified images drawn with ``seed``, attacked by each entry of
    ``attacks`` (a ``robustness.attacks`` entry with one scalar ``eps``), in name order."""
    import torch

    from advgen.robustness.evaluate import make_attack

    if not attacks:
        raise ConfigError("--spec: attacks: give at least one attack")
    with torch.no_grad():
        correct = (model(images).argmax(1) == labels).nonzero().flatten()
    gen = torch.Generator().manual_seed(int(seed))
    pick = correct[torch.randperm(len(correct), generator=gen)[:num_images]]
    x, y = images[pick], labels[pick]
    examples: dict[str, dict[str, Any]] = {}
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
    return examples


def adversarial_examples(inputs: Files, outputs: Files, spec: ExamplesSpec) -> None:
    """Inputs: a classifier checkpoint (classifier) and its prepared test split (images)."""
    from advgen.classifiers.checkpoint import load_classifier
    from advgen.data.prepared import load_prepared
    from advgen.jobs import start_job
    from advgen.plots.adversarial import adversarial_examples as draw

    # the figure's own generator picks the images: the job seeds nothing else, on the CPU
    attacks = {name: dataclasses.asdict(entry) for name, entry in spec.attacks.items()}
    with drawing(inputs, outputs) as paths:
        with start_job(spec, device="cpu", seed=False):
            test = load_prepared(inputs.one("images"))
            model = load_classifier(inputs.one("classifier"), data=[test])
            examples = attack_examples(
                model, test.images, test.labels, attacks, num_images=spec.num_images, seed=spec.seed
            )
        draw(examples, paths, experiment=spec.experiment, dpi=spec.dpi)
