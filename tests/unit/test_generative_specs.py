"""The generative stage's typed specs: the workflow's JSON in, the same JSON out, one-line errors."""

from __future__ import annotations

import json

import pytest

from advgen.ae.spec import AeSpec
from advgen.config import spec_json
from advgen.errors import ConfigError
from advgen.gan.spec import GanSpec
from advgen.gan.train import GanRun
from advgen.jobs import load_spec
from advgen.metrics.spec import SampleQualitySpec
from advgen.pipeline.check import checked_pipeline
from advgen.provenance import spec_digest
from advgen.specs import spec_dict
from tests.conftest import REPO
from tests.unit.gen_helpers import gan_spec, tiny_split  # noqa: F401  (fixtures)


def _job_specs(config: str) -> list[tuple[str, str, type]]:
    """(definition, the workflow's --spec JSON, spec type) of every generative job of ``config``."""
    gen = checked_pipeline([REPO / "config" / config]).generative
    jobs = [("gan", spec_json(spec_dict(gen.gan(n))), GanSpec) for n in gen.study.gans]
    jobs += [("autoencoder", spec_json(spec_dict(gen.ae(n))), AeSpec) for n in gen.study.autoencoders]
    assert gen.quality is not None
    jobs.append(("sample_quality", spec_json(spec_dict(gen.quality)), SampleQualitySpec))
    return jobs


@pytest.mark.parametrize("config", ["config.yaml", "paper.yaml"])
def test_every_job_spec_of_the_configs_round_trips_to_its_json(config):
    jobs = _job_specs(config)
    assert {d for d, _, _ in jobs} == {"gan", "autoencoder", "sample_quality"}
    for definition, text, cls in jobs:
        spec = load_spec(text, definition=definition, require_seed=True, spec_type=cls)
        assert isinstance(spec, cls)
        assert spec_json(spec_dict(spec)) == text  # the same JSON: same digest, same checkpoint config
        assert spec_digest(spec) == spec_digest(json.loads(text))


def test_the_checkpoint_config_is_the_plain_json(tiny_split):  # noqa: F811
    spec = gan_spec(recipe={"diffaugment": ["translation"]})
    config = GanRun(spec, str(tiny_split / "train.pt")).checkpoint()["config"]
    assert config == spec_dict(spec) and type(config) is dict
    assert isinstance(config["betas"], list) and isinstance(config["recipe"]["diffaugment"], list)


@pytest.mark.parametrize(
    ("definition", "cls", "extra"),
    [("gan", GanSpec, {"replicate_of": "g"}), ("autoencoder", AeSpec, {"seeds": [1, 2]})],
)
def test_a_field_the_job_does_not_take_is_one_line(definition, cls, extra):
    base = {"gan": {"generator": "mlp", "discriminator": "M3"}, "autoencoder": {}}[definition]
    text = json.dumps({"dataset": "d", "seed": 0, **base, **extra})
    with pytest.raises(ConfigError) as err:
        load_spec(text, definition=definition, require_seed=True, spec_type=cls)
    name = next(iter(extra))
    assert str(err.value).startswith(f"--spec: unknown field '{name}'") and "\n" not in str(err.value)
