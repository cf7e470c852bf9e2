"""The type check of ``make lint``: mypy on ``src/advgen`` (settings in ``pyproject.toml``), against a
baseline that may only shrink.

The pipeline layer, the commands, the typed specs and the spec modules are checked strictly and
have no error. The rest of the package is checked with mypy's defaults; the errors it had when
the check was introduced are listed in ``mypy-baseline.txt`` (one line per error: the file, the
message and the error code, no line number, so an edit above an error does not move it). The
check fails, one line per error, when mypy reports an error the baseline does not list (or more
of one than it lists); errors fixed since are reported, and ``--update`` removes them from the
baseline. The baseline never gains a line: ``--update`` keeps only what is both listed and still
reported.

    python scripts/mypy_baseline.py            # check (make lint)
    python scripts/mypy_baseline.py --update   # shrink the baseline to the errors still reported
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "mypy-baseline.txt"
#: ``path:line: error: message  [code]`` (mypy's default output)
ERROR = re.compile(r"^(?P<path>[^:\s]+\.py):\d+(?::\d+)?: error: (?P<message>.*)$")


def errors(output: str) -> Counter[str]:
    """The error lines of mypy's ``output``, without their line numbers (a multiset)."""
    found: Counter[str] = Counter()
    for line in output.splitlines():
        match = ERROR.match(line.strip())
        if match:
            found[f"{match['path']}: {match['message'].strip()}"] += 1
    return found


def read(path: Path) -> Counter[str]:
    """The baseline's lines (a multiset); none when the file does not exist."""
    if not path.is_file():
        return Counter()
    return Counter(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def write(path: Path, lines: Counter[str]) -> None:
    path.write_text("".join(f"{line}\n" for line in sorted(lines.elements())), encoding="utf-8")


def compare(found: Counter[str], baseline: Counter[str]) -> tuple[list[str], list[str]]:
    """(new errors: reported beyond the baseline's count, fixed errors: listed beyond what is reported)."""
    new = sorted((found - baseline).elements())
    fixed = sorted((baseline - found).elements())
    return new, fixed


def run_mypy(extra: Iterable[str] = ()) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", *extra], cwd=REPO, capture_output=True, text=True, check=False
    )
    # mypy ends its report with "Success: ..." or "Found N errors ...": anything else (mypy not
    # installed: "No module named mypy", exit status 1) is a failed run, not a clean one
    summary = proc.stdout.strip().splitlines()[-1:] or [""]
    if (
        proc.returncode not in (0, 1)
        or "error: " in proc.stderr
        or not summary[0].startswith(("Success:", "Found "))
    ):
        sys.exit(f"mypy_baseline: mypy failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--update", action="store_true", help="remove the errors fixed since from the baseline"
    )
    args = parser.parse_args(argv)
    found, baseline = errors(run_mypy()), read(BASELINE)
    new, fixed = compare(found, baseline)
    if args.update:
        write(BASELINE, found & baseline)
        print(f"mypy_baseline: {len(fixed)} fixed error(s) removed; {sum((found & baseline).values())} left")
        return 1 if new else 0
    for line in new:
        print(f"mypy: new error: {line}")
    if fixed:
        print(
            f"mypy_baseline: {len(fixed)} error(s) of the baseline are fixed; `python {Path(__file__).name} --update` "
            "removes them"
        )
    if new:
        print(
            f"mypy_baseline: {len(new)} error(s) not in {BASELINE.name} (fix them; the baseline only shrinks)"
        )
        return 1
    print(f"mypy_baseline: no new error ({sum(found.values())} in the baseline's modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
