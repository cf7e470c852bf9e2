"""Generative stage plan: GANs, autoencoders and their sample quality (the jobs are job kinds:
:mod:`advgen.pipeline.jobkinds_generative`)."""

from __future__ import annotations

from dataclasses import dataclass

from advgen import paths
from advgen.ae.spec import AeSpec
from advgen.errors import ConfigError
from advgen.gan.spec import GanSpec
from advgen.metrics.spec import QualityRow, SampleQualitySpec
from advgen.pipeline.base import Stage, classifier_model, prepared


@dataclass(frozen=True)
class ScoredRow:
    """A row of the sample-quality summary and the files it reads (and the grid it writes)."""

    row: QualityRow
    classifier: str
    reference: str
    model: str = ""
    info: str = ""
    real: str = ""
    grid: str = ""


class GenerativePlan(Stage):
    def check(self) -> None:
        """Every GAN's architectures take its dataset's images and its keyword arguments
        (:func:`advgen.architectures.gan_problem`); every classifier that ``sample_quality``
        names exists; every role with bars names generators."""
        self.check_architectures()
        sq = self.study.sample_quality
        if sq is None:
            return
        classifiers = self.study.classifiers
        for name in sorted({sq.classifier} | set(sq.classifier_by_dataset.values())):
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
        from advgen.specs import spec_dict

        for name, gan in sorted(self.study.gans.items()):
            data = self.study.datasets.get(gan.dataset)
            source = DATA_SOURCES.get(data.source) if data is not None else None
            if data is None or source is None:
                continue  # the references are checked with the config
            problem = gan_problem(spec_dict(gan), source.channels, int(data.image_size))
            if problem is not None:
                raise ConfigError(f"{self.source}: gans.{name}.{problem[0]}: {problem[1]}")

    # --- the quality gate (advgen.metrics.gate)
    def gated_roles(self) -> dict[str, list[str]]:
        """Role -> its generator runs, for every role of ``sample_quality.bars``.

        Raises:
            ConfigError: naming ``sample_quality.bars.<role>``: a role the config's ``roles`` lacks,
                or one naming an entry that is not a GAN or an autoencoder.
        """
        from advgen.pipeline.study import resolve_roles

        bars = self.study.sample_quality.bars if self.study.sample_quality is not None else {}
        if not bars:
            return {}
        roles = resolve_roles(self.study, None)
        generators = {*self.study.gans, *self.study.autoencoders}
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

    def bars_of(self, run: str) -> dict[str, dict[str, float | bool]]:
        """The bars of every role ``run`` belongs to (role -> bar); empty when none."""
        bars = self.study.sample_quality.bars if self.study.sample_quality is not None else {}
        return {role: bars[role] for role, runs in self.gated_roles().items() if run in runs}

    def gan(self, name: str) -> GanSpec:
        return self.lookup(self.study.gans, name, "gans", "GAN")

    def ae(self, name: str) -> AeSpec:
        return self.lookup(self.study.autoencoders, name, "autoencoders", "autoencoder")

    # --- sample quality
    @property
    def quality(self) -> SampleQualitySpec | None:
        """The ``sample_quality`` section (seed filled), None when the config has none."""
        return self.study.sample_quality

    def quality_classifier(self, dataset: str) -> str | None:
        """The classifier scoring samples of ``dataset`` (None: that dataset is not scored)."""
        sq = self.quality
        if sq is None:
            return None
        name = sq.classifier_by_dataset.get(dataset, sq.classifier)
        spec = self.study.classifiers.get(name)
        return name if spec is None or spec.dataset == dataset else None

    def scored_rows(self) -> list[ScoredRow]:
        """One row per scored GAN, autoencoder and (include_real) dataset, in that order."""
        rows: list[ScoredRow] = []
        datasets: list[str] = []
        runs: list[tuple[str, str, str, str]] = [
            *((n, g.dataset, paths.GAN_CHECKPOINT.format(gan=n), paths.GAN_STATUS.format(gan=n))
              for n, g in sorted(self.study.gans.items())),
            *((n, a.dataset, paths.AE_CHECKPOINT.format(ae=n), paths.AE_METRICS.format(ae=n))
              for n, a in sorted(self.study.autoencoders.items())),
        ]  # fmt: skip
        for name, dataset, model, info in runs:
            classifier = self.quality_classifier(dataset)
            if classifier is None:
                continue
            row = QualityRow(name, dataset, classifier, real=False, bars=self.bars_of(name) or None)
            rows.append(
                ScoredRow(row, classifier_model(classifier), prepared(dataset), model=model, info=info)
            )
            datasets.append(dataset)
        if self.quality is not None and self.quality.include_real:
            for dataset in sorted(set(datasets)):
                classifier = self.quality_classifier(dataset)
                assert classifier is not None  # a scored run's dataset
                rows.append(
                    ScoredRow(
                        QualityRow(dataset, dataset, classifier, real=True),
                        classifier_model(classifier),
                        prepared(dataset),
                        real=prepared(dataset, "test"),
                        grid=paths.SAMPLE_QUALITY_REAL_GRID.format(dataset=dataset),
                    )
                )
        return rows

    def real_grids(self) -> list[str]:
        """The sample_quality job's PNGs of real test images, one per scored dataset."""
        return [row.grid for row in self.scored_rows() if row.grid]

    def scored_gans(self) -> list[str]:
        """GANs with a sample-quality row (their dataset has a quality classifier)."""
        return [n for n, g in sorted(self.study.gans.items()) if self.quality_classifier(g.dataset)]
