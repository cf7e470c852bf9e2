"""A path as a claims page shows it: never an absolute path of the checkout, or of anyone's home."""

from __future__ import annotations

import os
from pathlib import Path


def shown_path(path: str | Path) -> str:
    """``path`` relative to the current folder where it lies inside it (or is relative already),
    else ``.../`` and its last two parts."""
    text = str(path)
    if not os.path.isabs(text):
        return text
    here = Path.cwd().resolve()
    resolved = Path(text).resolve()
    if resolved == here or here in resolved.parents:
        return resolved.relative_to(here).as_posix() or "."
    return ".../" + "/".join(resolved.parts[-2:])
