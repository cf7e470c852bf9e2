"""CV stage plan: results/cv/cv.{md,html,typ,pdf} from config/cv/."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from advgen import paths
from advgen.cv.settings import build_options, cv_settings
from advgen.pipeline.base import Stage


class CvPlan(Stage):
    def __init__(self, config, source="config"):
        super().__init__(config, source)
        self.settings = cv_settings(config.get("cv"), source=source)

    def template_files(self, wildcards) -> list[str]:
        """The renderer's templates: editing one reruns `cv` (edits to library code do not)."""
        folder = files("advgen.cv") / "templates"
        suffixes = (".j2", ".typ", ".css")
        return sorted(str(p) for p in folder.iterdir() if p.name.endswith(suffixes))

    def outdir(self, wildcards, output) -> str:
        return str(Path(output.md).parent)

    def build_options(self, wildcards) -> str:
        """Explicit overrides (last_updated, fold_before) as CLI options; a change reruns `cv`."""
        return " ".join(build_options(self.settings))

    def outputs(self) -> dict[str, str]:
        return {ext: paths.CV.format(ext=ext) for ext in paths.CV_FORMATS}

    def targets(self) -> list[str]:
        return list(self.outputs().values())
