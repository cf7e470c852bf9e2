"""CV stage plan: results/cv/cv.{md,html,typ,pdf} from the config's ``cv`` section (the rules of
``workflow/rules/cv.smk`` call the CV's own command line, ``advgen cv build|stats``). A config
without ``cv:`` builds no CV: the stage has no target and the rules are not defined."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from advgen import paths
from advgen.cv.settings import CvSettings, build_options
from advgen.pipeline.base import Stage


class CvPlan(Stage):
    @property
    def settings(self) -> CvSettings:
        """The ``cv`` section with its defaults (its files resolved against the workflow)."""
        if self.study.cv is None:
            raise ValueError("the config has no cv section")  # the rules are defined only with one
        return self.study.cv

    @property
    def wanted(self) -> bool:
        """Whether the config asks for the CV (has a ``cv`` section)."""
        return self.study.cv is not None

    def files(self) -> dict[str, str]:
        """The CV's input files and the refreshed stats' path: ``cv``, ``bib``, ``stats``, ``stats_refresh``."""
        return self.settings.files()

    def template_files(self, wildcards: Any = None) -> list[str]:
        """The renderer's templates: editing one reruns `cv` (edits to library code do not)."""
        folder = files("advgen.cv") / "templates"
        suffixes = (".j2", ".typ", ".css")
        return sorted(str(p) for p in folder.iterdir() if p.name.endswith(suffixes))

    def outdir(self, wildcards: Any, output: Any) -> str:
        return str(Path(output.md).parent)

    def build_options(self, wildcards: Any = None) -> str:
        """Explicit overrides (last_updated, fold_before) as CLI options; a change reruns `cv`."""
        return " ".join(build_options(self.settings))

    def outputs(self) -> dict[str, str]:
        return {ext: paths.CV.format(ext=ext) for ext in paths.CV_FORMATS}

    def targets(self) -> list[str]:
        return list(self.outputs().values()) if self.wanted else []
