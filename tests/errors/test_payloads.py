"""Inputs are data, never code (docs/security.md): payloads handed to the command line.

Each payload would create a marker file if it ran: a claims expression (attribute chains to
``os.system``, calls, lambdas, f-strings, comprehensions, ``import``, a decorator) in a side's
``value`` or ``query``; a checkpoint whose pickle calls ``os.system`` (``__reduce__``), handed as
a model, a prepared split, a planted ``resume/last.pt``, a sample-quality row's checkpoint, an
inversion's classifier or generator; YAML tags (``!!python/object/apply:os.system``,
``!!python/name:``, a custom tag) in a config, a claims file and a CV file. Every case runs
``advgen`` as a process (the test fork server's child, or a fresh interpreter without it) and
must answer one line naming the file, exit status 2, and leave the marker absent.

The ``*_payloads_are_live`` tests show each kind of payload does create its marker when handed
to the unsafe loader it targets (pandas' python engine, ``torch.load(weights_only=False)``,
``yaml.unsafe_load``), so a case passing here is a refusal, not a dud.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.conftest import REPO, tool_env
from tests.errors.conftest import assert_one_line_error
from tests.errors.test_claims_files import GOOD, SOURCE_TEXT
from tests.errors.test_cli_files import INVERT_SPEC, TRANSFER_SPEC, attack, j, purify, train_clf, train_gan
from tests.jobs import job_argv

ROBUSTNESS = REPO / ".test" / "config" / "robustness.yaml"
CV_DATA = REPO / "tests" / "data" / "cv" / "march2023"


def advgen(argv: list[str], cwd: Path) -> tuple[int, str]:
    proc = subprocess.run(
        ["advgen", *argv], cwd=cwd, env=tool_env(), capture_output=True, text=True, timeout=300
    )
    return proc.returncode, proc.stderr


def touch(marker: Path) -> str:
    return f"touch {shlex.quote(str(marker))}"


def armed(template: str, marker: Path) -> str:
    """A payload table's ``template`` with ``{cmd}`` replaced by the command that creates ``marker``."""
    return template.replace("{cmd}", touch(marker))


def cases(table: list[tuple[str, str, str]]) -> list:
    """A payload table's rows ``(id, template, the words the line names)`` as test cases."""
    return [pytest.param(template, named, id=i) for i, template, named in table]


# --- claims expressions -------------------------------------------------------------------

#: (id, the expression with {cmd} for the shell command that creates the marker, refusal named)
EXPRESSIONS = [
    (
        "globals-chain",
        "robust_acc + 0 * robust_acc.__class__.__init__.__globals__.get('sys').modules.get('os').system('{cmd}')",
        "attribute access",
    ),
    ("dunder-import", "__import__('os').system('{cmd}')", "attribute access (.system)"),
    ("import-call", "__import__('os')", "calling __import__"),
    ("lambda", "(lambda: __import__('os').system('{cmd}'))()", "lambda"),
    ("f-string", "f\"{{__import__('os').system('{cmd}')}}\"", "f-strings"),
    ("comprehension", "[__import__('os').system('{cmd}') for _ in [1]]", "comprehensions"),
    ("getattr", "getattr(robust_acc, 'x')", "calling getattr"),
    ("eval", "eval(\"__import__('os').system('{cmd}')\")", "calling eval"),
    ("import-statement", "import os", "not a valid expression"),
    ("decorator", "@os.system\ndef f(): pass", "not a valid expression"),
    ("subscript", "robust_acc.__class__.__subclasses__()[0]", "subscripts"),
]


def claims_with(tmp_path: Path, key: str, expression: str) -> Path:
    """GOOD (tests/errors/test_claims_files.py) with ``expression`` as side a's ``value`` or
    ``query``, and its source texts beside it."""
    for source in ("001", "003"):
        (tmp_path / f"source_{source}.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    old = "value: robust_acc" if key == "value" else "query: \"attack == 'fgsm'\""
    assert old in GOOD
    text = GOOD.replace(old, f"{key}: {json.dumps(expression)}")
    path = tmp_path / "claims.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def config_with_claims(tmp_path: Path, claims: Path) -> Path:
    config = yaml.safe_load(ROBUSTNESS.read_text(encoding="utf-8"))
    config["claims"] = str(claims)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@pytest.mark.parametrize("key", ["value", "query"])
@pytest.mark.parametrize(("expression", "named"), cases(EXPRESSIONS))
def test_claims_expression_payload_is_refused_by_check_config(
    key: str, expression: str, named: str, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    claims = claims_with(tmp_path, key, armed(expression, marker))
    config = config_with_claims(tmp_path, claims)
    code, err = advgen(["check-config", str(config)], tmp_path)
    assert_one_line_error(code, err, f"{claims}:", f"claims[c].a.{key}: ", named)
    assert not marker.exists()


def test_claims_expression_payload_is_refused_by_the_claims_job(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    claims = claims_with(tmp_path, "value", armed(EXPRESSIONS[0][1], marker))
    results = tmp_path / "results" / "robustness"
    results.mkdir(parents=True)
    pd.DataFrame(
        {"classifier": ["tiny_fc"], "attack": ["fgsm"], "eps": [0.1], "robust_acc": [0.4], "n": [30]}
    ).to_parquet(results / "attacks.parquet")
    argv = ["claims", "--config", str(claims), "--configfile", str(ROBUSTNESS)]
    argv += ["--results", str(tmp_path / "results"), "--html", str(tmp_path / "out" / "c.html")]
    code, err = advgen(argv, tmp_path)
    assert_one_line_error(code, err, f"{claims}:", "claims[c].a.value: ", "attribute access")
    assert not marker.exists() and not (tmp_path / "out").exists()


def test_claims_expression_payloads_are_live(tmp_path: Path) -> None:
    """pandas' python engine (what evaluated claims expressions before) runs the attribute chain,
    as a value and inside a query."""
    frame = pd.DataFrame({"robust_acc": [0.5]})
    expression = EXPRESSIONS[0][1]
    frame.eval(armed(expression, tmp_path / "value"), engine="python")
    frame.query(f"{armed(expression, tmp_path / 'query')} > 0", engine="python")
    assert (tmp_path / "value").exists() and (tmp_path / "query").exists()


# --- pickled checkpoints ------------------------------------------------------------------


class Payload:
    """Unpickled, it runs a shell command (the marker's ``touch``)."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (self.command,))


def save_payload(path: Path, marker: Path, kind: str, *, legacy: bool = False) -> Path:
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    obj = {"kind": kind, "state": Payload(touch(marker))}
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy)
    return path


def invert_on(generator: str, classifier: str) -> list[str]:
    """``advgen invert`` of INVERT_SPEC with ``generator`` and ``classifier`` on the good test split."""
    inputs = {"generator": generator, "classifier": classifier, "images": "{G}/test.pt"}
    outputs = {
        "final": "results/f.parquet",
        "steps": "results/s.parquet",
        "latents": "results/z.pt",
        "figure": "results/r.png",
    }
    return job_argv("invert", j(INVERT_SPEC), inputs, outputs)


def sample_quality(classifier: str, model: str | None = None) -> list[str]:
    """``advgen sample-quality`` of one row: the GAN checkpoint ``model``, else the real test split."""
    from advgen.config import complete_entry

    settings = complete_entry(
        {"classifier": "c", "n_samples": 16, "batch_size": 8, "seed": 0},
        "generative.schema.yaml",
        "sample_quality",
    )
    row = {"name": "g", "dataset": "digits", "classifier_name": "c", "real": model is None}
    inputs: dict[str, str] = {"classifiers": classifier, "references": "{G}/train.pt"}
    outputs = {"summary": "results/s.parquet"}
    if model is None:
        inputs["reals"] = "{G}/test.pt"
        outputs["grids"] = "results/real.png"
    else:
        inputs |= {"models": model, "infos": "{G}/gan/status.json"}
    return job_argv(
        "sample-quality", j({"settings": settings, "rows": [row], "device": "cpu"}), inputs, outputs
    )


#: (id, argv with {P} = the payload, {G} = good files; the payload's kind; where it is planted)
CHECKPOINTS = [
    ("prepared-train-split", train_clf("{P}", "{G}/test.pt"), "prepared", None),
    ("prepared-test-split", train_clf("{G}/train.pt", "{P}"), "prepared", None),
    ("planted-resume-state", train_clf("{G}/train.pt", "{G}/test.pt"), "resume", "results/resume/last.pt"),
    ("planted-gan-resume-state", train_gan("{G}/train.pt"), "resume", "results/g/resume/last.pt"),
    ("classifier-model", attack("{P}", "{G}/test.pt"), "classifier", None),
    ("legacy-format-model", attack("{P}", "{G}/test.pt"), "legacy", None),
    ("invert-classifier", invert_on("{G}/gan/checkpoint.pt", "{P}"), "classifier", None),
    ("invert-generator", invert_on("{P}", "{G}/clf.pt"), "gan", None),
    ("sample-quality-row-checkpoint", sample_quality("{G}/clf.pt", model="{P}"), "gan", None),
    ("sample-quality-row-classifier", sample_quality("{P}"), "classifier", None),
    (
        "transfer-source-model",
        job_argv(
            "transfer-source",
            j(TRANSFER_SPEC),
            {"models": ["{G}/clf.pt", "{P}"], "test": "{G}/test.pt"},
            {"table": "results/t.parquet"},
        ),
        "classifier",
        None,
    ),
    ("purify-images", purify("{G}/clf.pt", "{P}"), "prepared", None),
]


@pytest.mark.parametrize(
    ("argv", "kind", "planted"), [pytest.param(a, k, p, id=i) for i, a, k, p in CHECKPOINTS]
)
def test_pickled_checkpoint_is_refused(
    argv: list[str], kind: str, planted: str | None, good_files: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    payload = tmp_path / (planted or "payload.pt")
    save_payload(payload, marker, kind, legacy=kind == "legacy")
    args = [a.replace("{P}", str(payload)).replace("{G}", str(good_files)) for a in argv]
    code, err = advgen(args, tmp_path)
    assert code == 2, err
    named = planted or str(payload)  # a planted file is named as the command found it
    assert_one_line_error(code, err, f"{named}: not a plain checkpoint: refusing to unpickle")
    assert "system" in err
    assert not marker.exists()
    if planted:  # refused, not deleted: the user sees what was planted
        assert payload.exists()
    outputs = [p for p in (tmp_path / "results").rglob("*") if p.is_file() and p != payload]
    assert outputs == [], outputs


def test_pickled_checkpoint_payloads_are_live(tmp_path: Path) -> None:
    """``torch.load(weights_only=False)`` (what advgen used before) runs them, both formats."""
    import torch

    for legacy in (False, True):
        marker = tmp_path / f"marker{legacy}"
        torch.load(save_payload(tmp_path / f"p{legacy}.pt", marker, "gan", legacy=legacy), weights_only=False)
        assert marker.exists()


def test_checkpoints_of_earlier_versions_still_load(tmp_path: Path) -> None:
    """Earlier writers stored NumPy's RNG state as an array, numbers as NumPy scalars and torch's
    version as its string subclass: allowed (advgen.checkpoints.compatible_globals), and the RNG state
    restores."""
    import random

    import numpy as np
    import torch

    from advgen.checkpoints import load_torch
    from advgen.seeding import set_rng_state

    np.random.seed(5)
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    expected = np.random.random(3)
    old = {"kind": "resume", "rng": state, "lr": np.float64(0.1), "libraries": {"torch": torch.__version__}}
    torch.save(old, tmp_path / "old.pt")
    loaded = load_torch(tmp_path / "old.pt", kind="resume")
    assert loaded["lr"] == 0.1 and loaded["libraries"]["torch"] == torch.__version__
    set_rng_state(loaded["rng"])
    assert np.array_equal(np.random.random(3), expected)


def test_a_payload_inside_an_allowed_numpy_array_is_refused(tmp_path: Path) -> None:
    """An object array's items go through the same restricted unpickler."""
    import numpy as np
    import torch

    from advgen.checkpoints import load_torch
    from advgen.errors import UnsafeCheckpointError

    marker = tmp_path / "marker"
    torch.save({"a": np.array([Payload(touch(marker))], dtype=object)}, tmp_path / "p.pt")
    with pytest.raises(UnsafeCheckpointError, match="refusing to unpickle posix.system$"):
        load_torch(tmp_path / "p.pt")
    assert not marker.exists()


# --- YAML tags ----------------------------------------------------------------------------

#: (id, a YAML value with {cmd}; the tag the line names)
TAGS = [
    (
        "python-object-apply",
        "!!python/object/apply:os.system ['{cmd}']",
        "tag:yaml.org,2002:python/object/apply",
    ),
    ("python-name", "!!python/name:os.system", "tag:yaml.org,2002:python/name"),
    ("custom-tag", "!touch '{cmd}'", "!touch"),
]


@pytest.mark.parametrize(("value", "named"), cases(TAGS))
def test_yaml_tag_in_a_config_is_refused(value: str, named: str, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    text = ROBUSTNESS.read_text(encoding="utf-8").replace("seed: 0\n", f"seed: {armed(value, marker)}\n", 1)
    assert "!" in text
    config = tmp_path / "config.yaml"
    config.write_text(text, encoding="utf-8")
    code, err = advgen(["check-config", str(config)], tmp_path)
    assert_one_line_error(code, err, str(config), named)
    assert not marker.exists()


@pytest.mark.parametrize(("value", "named"), cases(TAGS))
def test_yaml_tag_in_a_claims_file_is_refused(value: str, named: str, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    claims = claims_with(tmp_path, "value", "robust_acc")
    text = claims.read_text(encoding="utf-8").replace(
        "    section: s\n", f"    section: {armed(value, marker)}\n"
    )
    claims.write_text(text, encoding="utf-8")
    code, err = advgen(["check-config", str(config_with_claims(tmp_path, claims))], tmp_path)
    assert_one_line_error(code, err, str(claims), named)
    assert not marker.exists()


@pytest.mark.parametrize(("value", "named"), cases(TAGS))
def test_yaml_tag_in_a_cv_file_is_refused(value: str, named: str, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    cv = tmp_path / "cv.yaml"
    text = (CV_DATA / "cv.yaml").read_text(encoding="utf-8")
    assert "  name: Brandon Amos\n" in text
    cv.write_text(
        text.replace("  name: Brandon Amos\n", f"  name: {armed(value, marker)}\n", 1), encoding="utf-8"
    )
    out = tmp_path / "out"
    argv = ["cv", "build", "--cv", str(cv), "--bib", str(CV_DATA / "publications.bib")]
    argv += ["--stats", str(CV_DATA / "stats.yaml"), "--out", str(out)]
    code, err = advgen(argv, tmp_path)
    assert_one_line_error(code, err, f"{cv}:", "could not determine a constructor for the tag", named)
    assert not marker.exists() and not out.exists()


def test_yaml_tag_payloads_are_live(tmp_path: Path) -> None:
    """``yaml.unsafe_load`` runs the ``python/object/apply`` payload."""
    marker = tmp_path / "marker"
    yaml.unsafe_load(f"seed: {armed(TAGS[0][1], marker)}\n")
    assert marker.exists()


def test_a_fifo_as_input_is_refused_before_it_is_opened(good_files: Path, tmp_path: Path) -> None:
    """Opening a FIFO waits for a writer: the command would hang. It is one line instead."""
    fifo = tmp_path / "train.pt"
    os.mkfifo(fifo)
    shutil.copy(good_files / "test.pt", tmp_path / "test.pt")
    argv = train_clf(str(fifo), str(tmp_path / "test.pt"))
    code, err = advgen(argv, tmp_path)
    assert_one_line_error(code, err, f"{fifo}: is a FIFO, not a regular file")
