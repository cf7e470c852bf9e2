"""Generative stage plan: GANs, autoencoders and their sample quality."""

from __future__ import annotations

import json

from advgen import paths
from advgen.config import spec_json
from advgen.errors import ConfigError
from advgen.pipeline.base import Stage, classifier_model, prepared, splits


class GenerativePlan(Stage):
    def check(self) -> None:
        """Every GAN's architectures take its dataset's images and its keyword arguments
        (:func:`advgen.architectures.gan_problem`); every classifier that ``sample_quality``
        names exists; every role with bars names generators."""
        self.check_architectures()
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
        self.gated_roles()

    def check_architectures(self) -> None:
        """A GAN whose generator or discriminator cannot take its dataset's images (``dcgan`` on
        8 px digits), or that passes one an argument its constructor lacks, is one line naming
        ``gans.<name>.<key>``: found here, not after its data were prepared."""
        from advgen.architectures import gan_problem
        from advgen.data.sources import DATA_SOURCES

        datasets = self.section("datasets")
        for name, gan in sorted(self.section("gans").items()):
            data = datasets.get(gan.get("dataset"))
            source = DATA_SOURCES.get(data.get("source")) if isinstance(data, dict) else None
            if source is None:
                continue  # the references are checked with the config
            problem = gan_problem(gan, source.channels, int(data["image_size"]))
            if problem is not None:
                raise ConfigError(f"{self.source}: gans.{name}.{problem[0]}: {problem[1]}")

    # --- the quality gate (advgen.metrics.gate)
    def gated_roles(self) -> dict[str, list[str]]:
        """Role -> its generator runs, for every role of ``sample_quality.bars``.

        Raises:
            ConfigError: naming ``sample_quality.bars.<role>``: a role the config's ``roles`` lacks,
                or one naming an entry that is not a GAN or an autoencoder.
        """
        from advgen.pipeline.claims import resolve_roles

        bars = self.section("sample_quality").get("bars") or {}
        if not bars:
            return {}
        roles = resolve_roles(self.config, None, self.source)
        generators = {n for family in ("gans", "autoencoders") for n in self.section(family)}
        out = {}
        for role in sorted(bars):
            where = f"{self.source}: sample_quality.bars.{role}"
            if role not in roles:
                raise ConfigError(f"{where}: unknown role (roles: {', '.join(sorted(roles)) or 'none'})")
            others = [r for r in roles[role] if r not in generators]
            if others:
                raise ConfigError(f"{where}: the role's run '{others[0]}' is not a GAN or an autoencoder")
            out[role] = roles[role]
        return out

    def bars_of(self, run: str) -> dict[str, dict]:
        """The bars of every role ``run`` belongs to (role -> bar); empty when none."""
        bars = self.section("sample_quality").get("bars") or {}
        return {role: bars[role] for role, runs in self.gated_roles().items() if run in runs}

    def gan(self, name: str) -> dict:
        return self.lookup(self.section("gans"), name, "gans", "GAN")

    def ae(self, name: str) -> dict:
        return self.lookup(self.section("autoencoders"), name, "autoencoders", "autoencoder")

    def gan_spec(self, wildcards) -> str:
        return spec_json(self.with_seed(self.gan(wildcards.gan)))

    def gan_train_split(self, wildcards) -> str:
        return prepared(self.gan(wildcards.gan)["dataset"], "train")

    def ae_spec(self, wildcards) -> str:
        return spec_json(self.with_seed(self.ae(wildcards.ae)))

    def ae_splits(self, wildcards) -> dict[str, str]:
        return splits(self.ae(wildcards.ae)["dataset"])

    # --- sample quality
    def quality_classifier(self, dataset: str) -> str | None:
        """The classifier scoring samples of ``dataset`` (None: that dataset is not scored)."""
        sq = self.section("sample_quality")
        if not sq:
            return None
        name = sq["classifier_by_dataset"].get(dataset, sq["classifier"])
        clf = self.section("classifiers").get(name) or {}
        return name if clf.get("dataset", dataset) == dataset else None

    def sample_quality_spec(self, wildcards=None) -> str:
        return spec_json(self.with_seed(self.config["sample_quality"]))

    def sample_quality_rows(self, wildcards=None) -> list[dict[str, str]]:
        """One row per scored GAN, autoencoder and (include_real) dataset, in that order: the
        keyword arguments of :func:`advgen.metrics.sample_quality_row` (input files included)."""
        rows, datasets = [], []
        sources = {
            "gans": lambda n: {
                "model": paths.GAN_CHECKPOINT.format(gan=n),
                "info": paths.GAN_STATUS.format(gan=n),
            },
            "autoencoders": lambda n: {
                "model": paths.AE_CHECKPOINT.format(ae=n),
                "info": paths.AE_METRICS.format(ae=n),
            },
        }
        for family, source in sources.items():
            for name, exp in sorted(self.section(family).items()):
                if self.quality_classifier(exp["dataset"]):
                    row = {"name": name, **self._quality_row(exp["dataset"]), **source(name)}
                    bars = self.bars_of(name)
                    rows.append({**row, "bars": bars} if bars else row)
                    datasets.append(exp["dataset"])
        if self.section("sample_quality").get("include_real"):
            rows += [
                {
                    "name": d,
                    **self._quality_row(d),
                    "real": prepared(d, "test"),
                    "grid": paths.SAMPLE_QUALITY_REAL_GRID.format(dataset=d),
                }
                for d in sorted(set(datasets))
            ]
        return rows

    def real_grids(self, wildcards=None) -> list[str]:
        """The sample_quality job's PNGs of real test images, one per scored dataset."""
        return [row["grid"] for row in self.sample_quality_rows() if "grid" in row]

    def _quality_row(self, dataset: str) -> dict[str, str]:
        name = self.quality_classifier(dataset)
        return {
            "dataset": dataset,
            "classifier_name": name,
            "classifier": classifier_model(name),
            "reference": prepared(dataset, "train"),
        }

    def sample_quality_rows_json(self, wildcards=None) -> str:
        """``--rows`` of the sample_quality job."""
        return json.dumps(self.sample_quality_rows(), sort_keys=True, separators=(",", ":"))

    def sample_quality_inputs(self, wildcards=None) -> list[str]:
        """Every file the rows read (checkpoints, run info, classifiers, splits), once each."""
        labels = ("name", "dataset", "classifier_name", "bars", "grid")
        files = (v for row in self.sample_quality_rows() for k, v in row.items() if k not in labels)
        return list(dict.fromkeys(files))

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
