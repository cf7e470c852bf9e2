"""The run's progress lines (advgen.pipeline.progress): the time left from each rule's job times,
this run's first, else earlier runs' benchmark files, else every job's so far; the logger plugin
Snakemake finds by its name."""

from __future__ import annotations

from pathlib import Path

from advgen.pipeline.progress import RunProgress, benchmark_seconds, earlier_benchmarks
from advgen.time_left import time_left

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def bench(path: Path, seconds: float) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{HEADER}{seconds}\t0:00:01\t1\t1\t1\t1\t0\t0\t0\t0\n", encoding="utf-8")
    return str(path)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_time_left_reads_as_a_person_says_it() -> None:
    assert [time_left(s) for s in (0, 3, 44, 185, 3930)] == [
        "done",
        "~3 s left",
        "~40 s left",
        "~3 min left",
        "~1 h 06 min left",
    ]


def test_earlier_runs_benchmarks_price_the_rules_this_run_has_not_timed(tmp_path: Path) -> None:
    folder = tmp_path / "benchmarks"
    bench(folder / "train" / "a.tsv", 100.0)
    bench(folder / "train" / "b.tsv", 300.0)
    bench(folder / "attack" / "m" / "x.tsv", 10.0)
    (folder / "attack" / "broken.tsv").write_text("s\n", encoding="utf-8")  # unreadable: skipped
    assert earlier_benchmarks(folder) == {"train": [100.0, 300.0], "attack": [10.0]}
    clock = Clock()
    run = RunProgress(earlier=earlier_benchmarks(folder), clock=clock)
    run.planned({"attack": 4, "train": 2, "total": 6})
    run.scheduled(1, "attack", bench(tmp_path / "now" / "1.tsv", 20.0))
    clock.now = 20.0
    # work 20 s in 20 s (rate 1): 3 attacks at this run's 20 s + 2 trainings at the earlier 200 s
    assert run.finished(1) == "advgen: 1 of 6 jobs done, ~8 min left (from earlier runs' benchmarks)"
    assert run.seconds_left() == 3 * 20 + 2 * 200
    assert run.finished(99) is None  # a job never scheduled


def test_without_benchmarks_every_job_done_prices_the_rest(tmp_path: Path) -> None:
    clock = Clock()
    run = RunProgress(clock=clock)
    run.planned({"a": 2, "b": 3})
    run.scheduled(1, "a", None)
    run.scheduled(2, "a", str(tmp_path / "missing.tsv"))
    clock.now = 10.0
    run.finished(1)  # 10 s by the clock (no benchmark file)
    assert run.seconds_left() == 1 * 10 + 3 * 10
    clock.now = 30.0
    line = run.finished(2)  # 30 s since it was scheduled; 40 s of work in 30 s: rate 4/3
    assert run.seconds_left() == 3 * 20 / (40 / 30)
    assert line == "advgen: 2 of 5 jobs done, ~40 s left (from this run's jobs)"


def test_a_benchmark_file_gives_its_wall_seconds(tmp_path: Path) -> None:
    assert benchmark_seconds(bench(tmp_path / "x.tsv", 1.15)) == 1.15
    assert benchmark_seconds(tmp_path / "none.tsv") is None


def test_snakemake_finds_the_logger_plugin() -> None:
    from snakemake_interface_logger_plugins.registry import LoggerPluginRegistry

    plugin = LoggerPluginRegistry().get_plugin("advgen-progress")
    assert plugin.log_handler.__module__ == "snakemake_logger_plugin_advgen_progress"


def test_the_epoch_log_says_the_time_left(caplog) -> None:
    """Training's epoch lines (advgen.training.driver): ``epoch k/n, ~T left: ...``, ``done`` at the last."""
    import logging

    from advgen.training.driver import train_epochs

    class Trainer:
        epoch, seconds, resumed_from = 0, 0.0, []

        def batches(self):
            self.epoch += 1
            return []

        def step(self, batch):
            return []

        def log_steps(self, rows):
            return True

        def end_epoch(self):
            return "loss 1.0"

        def state_dict(self):
            return {}

        def load_state_dict(self, state):
            pass

        def checkpoint(self):
            return {"epoch": self.epoch}

    with caplog.at_level(logging.INFO, logger="advgen.training.driver"):
        assert train_epochs(Trainer(), 3, name="toy") == {"epoch": 3}
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith("toy: epoch 1/3, ~") and lines[0].endswith(" s left: loss 1.0")
    assert lines[-1] == "toy: epoch 3/3, done: loss 1.0"


def _replay(path: Path) -> tuple[list[tuple[float, str, float]], float]:
    """The demo's recorded run (tests/data/progress/demo_run.tsv) through RunProgress, with the
    rule counts its log gave: (time, line, the time really left) at each finished job; the end."""
    rows = [
        line.split("\t")
        for line in path.read_text().splitlines()
        if line and not line.startswith(("#", "seconds"))
    ]
    counts: dict[str, int] = {}
    for _, event, _, rule in rows:
        if event == "start":
            counts[rule] = counts.get(rule, 0) + 1
    end = max(float(t) for t, *_ in rows)
    clock = Clock()
    run = RunProgress(clock=clock)
    run.planned(counts)
    lines = []
    for t, event, jobid, rule in rows:
        clock.now = float(t)
        if event == "start":
            run.scheduled(int(jobid), rule, None)
        else:
            line = run.finished(int(jobid))
            assert line is not None
            lines.append((float(t), run.seconds_left(), end - float(t)))
    return lines, end


def test_the_demos_first_estimate_is_its_time_left_within_a_factor_of_two() -> None:
    """The demo's first job took 36 s waiting for the run's start-up: priced by job kind against
    the reference demo (advgen.pipeline.reference_runs), its first estimate is within a factor of
    2 of the time really left, where pricing every job at the mean of the jobs done was 10x over
    (every job at 36 s), and the estimates improve as jobs finish."""
    lines, _ = _replay(Path(__file__).parents[1] / "data" / "progress" / "demo_run.tsv")
    first_at, first_left, really_left = lines[0]
    assert first_left is not None and really_left / 2 <= first_left <= really_left * 2, lines[0]
    mean_of_done = 36.0 * 50  # the old rule: each job not done at the mean of the jobs done
    assert mean_of_done / (36.0 / first_at) > 10 * really_left
    midway = [(left, real) for _, left, real in lines[10:40] if left is not None]
    assert all(real / 2.5 <= left <= real * 2.5 for left, real in midway), midway
    assert lines[-1][1] == 0
