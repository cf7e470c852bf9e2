"""Generative stage plan: GANs, autoencoders and their sample quality."""

from __future__ import annotations

from advgen.config import spec_json
from advgen.errors import ConfigError
from advgen.pipeline import paths
from advgen.pipeline.base import Stage, classifier_model, prepared, splits


def generator_checkpoint(config, name: str) -> str:
    """A GAN's or an autoencoder's checkpoint."""
    if name in (config.get("gans") or {}):
        return paths.GAN_CHECKPOINT.format(gan=name)
    return paths.AE_CHECKPOINT.format(ae=name)


class GenerativePlan(Stage):
    def check(self) -> None:
        """Every classifier that ``sample_quality`` names exists."""
        sq = self.section("sample_quality")
        if not sq:
            return
        classifiers = self.section("classifiers")
        for name in sorted({sq["classifier"]} | set(sq["classifier_by_dataset"].values())):
            if name not in classifiers:
                raise ConfigError(
                    f"{self.source}: sample_quality: unknown classifier "
                    f"'{name}' (defined: {', '.join(sorted(classifiers)) or 'none'})"
                )

    def gan_spec(self, wildcards) -> str:
        return spec_json(self.with_seed(self.config["gans"][wildcards.gan]))

    def gan_train_split(self, wildcards) -> str:
        return prepared(self.config["gans"][wildcards.gan]["dataset"], "train")

    def ae_spec(self, wildcards) -> str:
        return spec_json(self.with_seed(self.config["autoencoders"][wildcards.ae]))

    def ae_splits(self, wildcards) -> dict[str, str]:
        return splits(self.config["autoencoders"][wildcards.ae]["dataset"])

    # --- sample quality
    def quality_classifier(self, dataset: str) -> str | None:
        """The classifier scoring samples of ``dataset`` (None: that dataset is not scored)."""
        sq = self.section("sample_quality")
        if not sq:
            return None
        name = sq["classifier_by_dataset"].get(dataset, sq["classifier"])
        clf = self.section("classifiers").get(name) or {}
        return name if clf.get("dataset", dataset) == dataset else None

    def sample_quality_spec(self, wildcards) -> str:
        return spec_json(self.with_seed(self.config["sample_quality"]))

    def sample_quality_dataset(self, wildcards) -> str:
        if wildcards.family == "real":
            return wildcards.name
        return self.config[wildcards.family][wildcards.name]["dataset"]

    def sample_quality_classifier(self, wildcards) -> str | None:
        return self.quality_classifier(self.sample_quality_dataset(wildcards))

    def sample_quality_inputs(self, wildcards) -> dict[str, str]:
        dataset = self.sample_quality_dataset(wildcards)
        inputs = {
            "classifier": classifier_model(self.quality_classifier(dataset)),
            "reference": prepared(dataset, "train"),
        }
        if wildcards.family == "gans":
            inputs["model"] = paths.GAN_CHECKPOINT.format(gan=wildcards.name)
            inputs["info"] = paths.GAN_STATUS.format(gan=wildcards.name)
        elif wildcards.family == "autoencoders":
            inputs["model"] = paths.AE_CHECKPOINT.format(ae=wildcards.name)
            inputs["info"] = paths.AE_METRICS.format(ae=wildcards.name)
        else:
            inputs["real"] = prepared(dataset, "test")
        return inputs

    def sample_quality_source(self, wildcards) -> str:
        """The command's input options: --model/--info for a generator, --real for data."""
        inputs = self.sample_quality_inputs(wildcards)
        if "real" in inputs:
            return f"--real {inputs['real']}"
        return f"--model {inputs['model']} --info {inputs['info']}"

    def sample_quality_rows(self, wildcards=None) -> list[str]:
        """One row per scored GAN, autoencoder and (include_real) dataset."""
        rows, datasets = [], set()
        for family in ("gans", "autoencoders"):
            for name, exp in sorted(self.section(family).items()):
                if self.quality_classifier(exp["dataset"]):
                    rows.append(paths.SAMPLE_QUALITY.format(family=family, name=name))
                    datasets.add(exp["dataset"])
        if self.section("sample_quality").get("include_real"):
            rows += [paths.SAMPLE_QUALITY.format(family="real", name=d) for d in sorted(datasets)]
        return rows

    def scored_gans(self) -> list[str]:
        """GANs with a sample-quality row (their dataset has a quality classifier)."""
        return [
            n
            for n, g in sorted(self.section("gans").items())
            if self.section("sample_quality") and self.quality_classifier(g["dataset"])
        ]

    def targets(self) -> list[str]:
        targets = [paths.GAN_STATUS.format(gan=g) for g in sorted(self.section("gans"))]
        targets += [paths.AE_METRICS.format(ae=a) for a in sorted(self.section("autoencoders"))]
        if self.sample_quality_rows():
            targets.append(paths.SAMPLE_QUALITY_SUMMARY)
        return targets
