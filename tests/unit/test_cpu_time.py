"""``scripts/cpu_time.py`` counts the CPU time of a descendant that left the command's process
tree (a new session, its parent gone: how the warm server runs), which ``/usr/bin/time`` misses;
the negative control is the same orphan under a plain ``RUSAGE_CHILDREN`` count."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "cpu_time.py"
BURN = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.5:\n    pass\n"
# starts a detached orphan that burns 0.5 CPU s, then exits at once
ORPHAN = [
    sys.executable,
    "-c",
    f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', {BURN!r}], start_new_session=True)",
]


def cpu_seconds(stderr: str) -> float:
    match = re.search(r"cpu_s=([0-9.]+)", stderr)
    assert match, stderr
    return float(match.group(1))


def test_the_orphans_cpu_time_is_counted():
    proc = subprocess.run([sys.executable, str(SCRIPT), *ORPHAN], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert cpu_seconds(proc.stderr) >= 0.5


def test_without_the_subreaper_the_orphan_is_missed():
    count = (
        "import resource, subprocess, sys, time\n"
        f"subprocess.call({ORPHAN!r})\n"
        "time.sleep(1.0)\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(u.ru_utime + u.ru_stime)\n"
    )
    proc = subprocess.run([sys.executable, "-c", count], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert float(proc.stdout) < 0.5


def test_the_commands_status_is_kept_and_no_command_is_usage():
    failing = [sys.executable, "-c", "raise SystemExit(3)"]
    run = subprocess.run([sys.executable, str(SCRIPT), *failing], capture_output=True, timeout=60)
    assert run.returncode == 3
    proc = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "usage" in proc.stderr
