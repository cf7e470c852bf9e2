"""Complete and check a job spec against one ``$defs`` entry of a stage schema.

Snakemake jobs receive specs already validated (with defaults) by the Snakefile; commands
run by hand or from tests get the same checks and defaults through :func:`complete_spec`.
"""

from __future__ import annotations

import copy
from typing import Any

from advgen.errors import ConfigError


def complete_spec(
    spec: dict[str, Any], definition: str, *, schema: str = "generative.schema.yaml", what: str = "--spec"
) -> dict[str, Any]:
    """A copy of ``spec`` validated against ``<schema>#/$defs/<definition>``, defaults filled."""
    from advgen.config import SCHEMA_DIR, _best_error, _key_path, _message, _registry, _validator_class

    spec = copy.deepcopy(spec)
    validator = _validator_class()({"$ref": f"{schema}#/$defs/{definition}"}, registry=_registry(SCHEMA_DIR))
    errors = list(validator.iter_errors(spec))
    if errors:
        err = _best_error(errors)
        raise ConfigError(f"{what}: {_key_path(err)}: {_message(err)}")
    return spec
