"""The strict config loader accepts YAML anchors and merge keys (config/config.yaml uses them)
and still refuses a key written twice in one mapping."""

from __future__ import annotations

import pytest

from advgen.config_files import parse_yaml
from advgen.errors import ConfigError

TEXT = """\
gans:
  a: &shared
    loss: mse
    z_dim: 8
  b:
    <<: *shared
    loss: ns
"""


def test_a_merged_key_may_be_overridden():
    gans = parse_yaml(TEXT, "c.yaml")["gans"]
    assert gans["b"] == {"loss": "ns", "z_dim": 8} and gans["a"] == {"loss": "mse", "z_dim": 8}


def test_a_key_written_twice_is_still_an_error():
    with pytest.raises(ConfigError, match=r"c.yaml:8: duplicate key 'loss' \(first defined at line 7\)"):
        parse_yaml(TEXT + "    loss: mse\n", "c.yaml")
