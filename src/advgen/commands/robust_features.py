"""``advgen robust-features``: Ilyas et al. 2019's D_R / D_NR from digits, a standard CNN on each."""

from __future__ import annotations

import argparse
import logging

HELP = (
    "build D_R (robust-model feature matching) and D_NR (relabelled targeted adversarial examples), "
    "train and attack a CNN on each"
)

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--spec",
        required=True,
        help="JSON: {classifier: <full classifier spec>, attack: <robustness.attacks entry>, eps, robust: {steps, "
        "step_size}, non_robust: {eps, step_size, steps, target}, max_train, max_examples, batch_size, seed, device}",
    )
    p.add_argument(
        "--robust-model",
        required=True,
        help="input: the PGD-trained classifier (.pt) whose features D_R matches",
    )
    p.add_argument(
        "--standard-model", required=True, help="input: the standard classifier (.pt) D_NR attacks"
    )
    p.add_argument("--train", required=True, help="input: prepared train split (.pt)")
    p.add_argument("--test", required=True, help="input: prepared test split (.pt)")
    p.add_argument("--out", required=True, help="output: table (.parquet), one row per training set")
    p.add_argument("--datasets", default=None, help="output: the two built datasets (.pt, for figures)")


def _model_from(ckpt: dict, device: str):
    from advgen.classifiers import build_classifier

    kw = ckpt["arch_kwargs"]
    model = build_classifier(ckpt["arch"], kw["in_shape"], kw["num_classes"], kw.get("width", 1.0))
    model.load_state_dict(ckpt["state_dict"])
    return model.to(device).eval()


def main(args: argparse.Namespace) -> None:
    from advgen.classifiers import load_classifier, select_subset, train_classifier
    from advgen.config import parse_spec
    from advgen.data import load_prepared
    from advgen.device import lease_device
    from advgen.errors import ConfigError
    from advgen.io import save_torch, write_parquet
    from advgen.robustness import robust_features as rf
    from advgen.robustness.evaluate import eval_subset
    from advgen.robustness.sweeps import clean_and_robust
    from advgen.seeding import seed_everything

    spec = parse_spec(args.spec)
    for key in ("classifier", "attack", "eps"):
        if key not in spec:
            raise ConfigError(f"--spec: missing key {key!r}")
    seed = int(spec.get("seed", 0))
    seed_everything(seed)
    train, test = load_prepared(args.train), load_prepared(args.test)
    if spec.get("max_train"):
        keep = select_subset(train.labels, "all", min(1.0, spec["max_train"] / len(train)), seed)
        train = rf.PreparedSplit(
            train.images[keep], train.labels[keep], train.num_classes, train.dataset, "train", train.spec
        )
    idx = eval_subset(test.labels, spec.get("max_examples"))
    eps, batch = float(spec["eps"]), spec.get("batch_size")
    attack_name = spec["attack"].get("attack", "?")
    rows = []
    with lease_device(spec.get("device", "auto")) as device:
        robust = load_classifier(args.robust_model, device)
        standard = load_classifier(args.standard_model, device)
        xt, yt = test.images[idx].to(device), test.labels[idx].to(device)
        d_r = rf.robust_split(robust, train, seed=seed, **spec.get("robust", {}))
        fit = rf.feature_distance(robust, d_r.images.to(device), train.images.to(device))
        d_nr, hit = rf.non_robust_split(standard, train, seed=seed, **spec.get("non_robust", {}))
        log.info("D_R feature distance %.3f; D_NR target hit rate %.3f", fit, hit)
        for name, split, metric in (("robust", d_r, fit), ("non_robust", d_nr, hit)):
            cspec = {**spec["classifier"], "mode": "standard", "train_subset": "all", "train_fraction": 1.0}
            ckpt, _ = train_classifier(cspec, split, test, name=f"ilyas_{name}", device=device)
            clean, rob = clean_and_robust(_model_from(ckpt, device), xt, yt, spec["attack"], eps, batch)
            rows.append(
                rf.row(
                    name,
                    f"standard CNN on D_{'R' if name == 'robust' else 'NR'}",
                    len(split),
                    metric,
                    clean,
                    rob,
                    attack_name,
                    eps,
                )
            )
        for name, model in (("adversarial_training", robust), ("standard", standard)):
            clean, rob = clean_and_robust(model, xt, yt, spec["attack"], eps, batch)
            rows.append(
                rf.row(
                    name,
                    name.replace("_", " ") + " (reference)",
                    len(train),
                    float("nan"),
                    clean,
                    rob,
                    attack_name,
                    eps,
                )
            )
    if args.datasets:
        save_torch(
            {
                "kind": "robust_features_datasets",
                "robust": d_r.images,
                "robust_labels": d_r.labels,
                "non_robust": d_nr.images,
                "non_robust_labels": d_nr.labels,
                "spec": spec,
            },
            args.datasets,
        )
    write_parquet(rf.table(rows), args.out)
