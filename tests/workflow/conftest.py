"""Fixtures of the workflow tests: the completed tiny runs (tests/workflow/completed_runs.py)."""

from tests.workflow.completed_runs import completed  # noqa: F401  (a fixture)
