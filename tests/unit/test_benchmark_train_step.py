"""benchmarks/train_step.py: the smoke run of one model in-process, rows and JSON."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location("train_step_bench", ROOT / "benchmarks" / "train_step.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_smoke_madry_rows_and_json(tmp_path, capsys):
    bench = _bench()
    out = tmp_path / "rows.json"
    rows, checks = bench.main(["--smoke", "--models", "madry", "--device", "cpu", "--json", str(out)])
    assert checks == []
    assert [(r["entry"], r["setting"], r["stacked"], r["batch"]) for r in rows] == [
        ("mnist_cnn_madry_pgd", "fp32", s, 4) for s in (None, 1, 3, 5)
    ]
    row = rows[0]
    assert row["error"] is None and row["iters_per_s"] > 0
    assert row["samples_per_s"] == pytest.approx(4 * row["iters_per_s"])
    assert row["ceiling_batch"] in (4, 8) and 0 < row["ratio"] <= 1.0
    assert row["graph"] == "off" and row["device"] == "CPU (cpu)"  # no CUDA: advgen trains eagerly
    for stacked in rows[1:]:  # S seeds, each its own batch of 4, against the plain step's ceiling
        assert stacked["error"] is None
        assert stacked["samples_per_s"] == pytest.approx(4 * stacked["stacked"] * stacked["iters_per_s"])
        assert stacked["ceiling_samples_per_s"] == row["ceiling_samples_per_s"]
        assert stacked["ratio"] == pytest.approx(stacked["samples_per_s"] / row["ceiling_samples_per_s"])
    assert json.loads(out.read_text())["rows"] == rows
    text = capsys.readouterr().out
    assert "skipped tf32, tf32+bf16, tf32+bf16+cl" in text
    assert "| madry | mnist_cnn_madry_pgd | fp32 | off | - | 4 |" in text
    assert "| madry | mnist_cnn_madry_pgd | fp32 | off | 3 | 4 |" in text
    assert "| CPU (cpu) |" in text


@pytest.mark.slow
def test_stacked_gan_rows_time_the_dcgan_and_the_report_pair_with_dropout():
    rows, _ = _bench().main(["--smoke", "--models", "m1m3,dcgan", "--device", "cpu", "--replicates", "3"])
    # on a CPU the GANs' tf32 rows run too: their lever rounds the operands to TF32 there
    assert [(r["model"], r["setting"], r["stacked"]) for r in rows] == [
        ("m1m3", "fp32", None),
        ("m1m3", "fp32", 3),
        ("m1m3", "tf32", None),
        ("m1m3", "tf32", 3),
        ("dcgan", "fp32", None),
        ("dcgan", "fp32", 3),
        ("dcgan", "tf32", None),
        ("dcgan", "tf32", 3),
    ]
    # M3 keeps the report's dropout: stacked, each seed draws its own masks
    assert all(r["error"] is None and r["iters_per_s"] > 0 for r in rows)
    assert rows[5]["samples_per_s"] == pytest.approx(3 * 4 * rows[5]["iters_per_s"])


@pytest.mark.slow
def test_graph_rows_and_checks_run_the_static_buffer_step(tmp_path, capsys):
    """Without CUDA the "graph" rows run the graphs' static-buffer step eagerly ("static"), and the
    check finds it equal to itself and to a second eager run, weight for weight."""
    config = tmp_path / "paper.json"
    bench = _bench()
    assert bench.main(["--dump-config", str(config)]) == ([], [])
    args = ["--smoke", "--models", "madry", "--device", "cpu", "--replicates", "2", "--graphs", "both"]
    rows, checks = bench.main([*args, "--check-graphs", "--config-json", str(config), "--budget-s", "0"])
    assert [(r["graph"], r["stacked"]) for r in rows] == [
        ("off", None),
        ("static", None),
        ("off", 2),
        ("static", 2),
    ]
    assert all(r["error"] is None and r["iters_per_s"] > 0 for r in rows)
    assert [(c["stacked"], c["graph_vs_eager"], c["eager_vs_eager"]) for c in checks] == [
        (None, 0.0, 0.0),
        (2, 0.0, 0.0),
    ]
    assert all(c["max_abs_weight"] > 0 and c["error"] is None for c in checks)
    out = capsys.readouterr().out
    assert "graphed vs eager (the same static-buffer step, same seeds):" in out
    assert "mnist_cnn_madry_pgd fp32 [CPU (cpu)]: S=2 graph off" in out


def test_settings_per_model():
    bench = _bench()
    assert bench.parse_settings("fp32,dcgan:tf32,madry:fp32") == {
        "*": {"fp32"},
        "dcgan": {"tf32"},
        "madry": {"fp32"},
    }
    with pytest.raises(SystemExit, match="--settings: unknown 'gan:fp32'"):
        bench.parse_settings("gan:fp32")


def test_a_row_that_fails_for_another_reason_fails_the_run(monkeypatch, capsys):
    """OOM and a model that refuses stacked seeds are results; any other error is a broken
    benchmark: the table is still printed, then the run exits with status 1 naming the row."""
    bench = _bench()

    def broken_step(*args, **kwargs):
        raise RuntimeError("shape mismatch in the step")

    monkeypatch.setattr(bench, "make_step", broken_step)
    with pytest.raises(SystemExit) as exc:
        bench.main(["--smoke", "--models", "madry", "--device", "cpu", "--replicates", ""])
    assert str(exc.value) == (
        "train_step: rows failed:\n  mnist_cnn_madry_pgd fp32 S - batch 4: RuntimeError: shape mismatch in the step"
    )
    assert "| madry | mnist_cnn_madry_pgd | fp32 | off | - | 4 | - |" in capsys.readouterr().out


def test_only_unexpected_failures_are_broken():
    bench = _bench()
    row = {
        "entry": "e",
        "setting": "fp32",
        "stacked": None,
        "batch": 4,
        "error": None,
        "ceiling_note": "cap 8",
    }
    assert bench.broken([row]) == []
    assert bench.broken([{**row, "error": "OOM"}, {**row, "stacked": 3, "error": "not stackable: x"}]) == []
    assert (
        bench.broken(
            [{**row, "ceiling_note": "OOM at 16"}, {**row, "ceiling_note": "budget (stopped before 8)"}]
        )
        == []
    )
    assert bench.broken([{**row, "ceiling_note": "failed at 8: ValueError: v"}]) == [
        "e fp32 S - batch 4, ceiling search: failed at 8: ValueError: v"
    ]


def test_unknown_model_is_refused():
    with pytest.raises(SystemExit, match="unknown model 'resnet'"):
        _bench().main(["--smoke", "--models", "resnet", "--device", "cpu"])


def test_bad_replicates_are_refused(capsys):
    with pytest.raises(SystemExit) as exc:
        _bench().main(["--smoke", "--models", "madry", "--device", "cpu", "--replicates", "1,x"])
    assert exc.value.code == 2
    assert "--replicates: '1,x' is not a comma-separated list of integers" in capsys.readouterr().err


@pytest.mark.slow
def test_smoke_lever_table_times_every_lever_against_float32(tmp_path, capsys):
    """--levers: the default study's report GAN and forced autoencoder, each lever's CPU time per
    iteration and its speed-up over float32 timed in the same rounds (one torch thread)."""
    out = tmp_path / "levers.json"
    rows, checks = _bench().main(["--smoke", "--levers", "report_gan,forced_ae", "--json", str(out)])
    assert checks == []
    assert [(r["model"], r["lever"]) for r in rows] == [
        *(
            ("report_gan", lever)
            for lever in (
                "fp32",
                "bf16",
                "channels_last",
                "foreach_adam",
                "fused_adam",
                "levers",
                "channels_last+fused",
                "levers+ngf32",
            )
        ),
        *(
            ("forced_ae", lever)
            for lever in ("fp32", "bf16", "foreach_adam", "fused_adam", "levers", "levers+width16")
        ),
    ]
    assert all(r["cpu_ms"] > 0 and r["speedup"] > 0 and r["batch"] == 8 for r in rows)
    assert [r["speedup"] for r in rows if r["lever"] == "fp32"] == [1.0, 1.0]
    payload = json.loads(out.read_text())
    assert payload["rows"] == rows and "autocast auto -> " in payload["header"]
    text = capsys.readouterr().out
    assert "| report_gan (mnist_report, 8) | levers+ngf32 |" in text


def test_unknown_lever_model_is_refused():
    with pytest.raises(SystemExit, match="--levers: unknown model 'mlp'"):
        _bench().main(["--smoke", "--levers", "mlp"])
