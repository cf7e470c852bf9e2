"""The pages' job kinds (rows of :data:`advgen.pipeline.jobkinds.JOB_KINDS`): the claims page,
the report's main numbers, the GAN report's recomputed facts the claims read, and the provenance
page. All four are small local jobs (seconds: run where Snakemake runs, not submitted to a cluster),
each planned only where the config makes what it reads: the claims page where a claim reads a
table of the run (:attr:`advgen.pipeline.claims.ClaimsPlan.measures`; the recomputed facts with
it), the main numbers where the run has one of their tables, the provenance page where the report
shows a result of the run (a data-only config plans none of the four).

- ``claims``: every claim of the source documents tested on this run's tables by model role
  (:func:`advgen.claims.page.page_job.claims_page`); its page ``results/claims.html`` is a result of
  the report (category "Claims"), linked from its landing page (``workflow/report/workflow.rst``).
  ``advgen claims-page`` runs it; ``advgen claims --configfile`` makes the same page by hand.
- ``findings``: the report's main numbers (:mod:`advgen.findings`): a RobustBench-style table,
  the generators' scores and the verdict counts, from the run's tables; its text opens the
  report's landing page.
- ``report_facts``: the GAN report's parameter counts and convolution-gradient identities
  (about 2 s on one core).
- ``provenance``: after every other target, the outputs built by other code than the installed
  advgen (:mod:`advgen.provenance_page`). Its spec holds the code digest, so a code change
  reruns this job alone; its page is a report entry, its paragraph on the landing page.
  ``advgen provenance-page`` runs it; ``advgen provenance`` lists the same by hand.
"""

from __future__ import annotations

import os
import shlex

from advgen import paths
from advgen.claims.page.page_job import claims_page
from advgen.claims.page.page_spec import ClaimsPageSpec
from advgen.findings import findings_job
from advgen.findings.tables import FindingsSpec
from advgen.pipeline.base import display
from advgen.pipeline.jobkind import ONCE, JobKind, Output, Values, no_inputs, no_settings
from advgen.pipeline.plan import Plan
from advgen.provenance import code_digest
from advgen.provenance_page import ProvenancePageSpec, provenance_job
from advgen.report_facts import report_facts_job
from advgen.specs import NoSettings

#: the report's category of the claims page (the landing page links it by this name)
CLAIMS_CATEGORY = "Claims"
#: the folder the claims' tables are relative to, and the one the provenance page scans
RESULTS = "results"


def page(path: str, category: str, caption: str, label: str) -> Output:
    """A page of the report: its HTML file, an entry of ``category`` whose caption is
    ``workflow/report/<caption>``."""
    return Output(
        path, report={"category": category, "caption": f"../report/{caption}", "labels": {"page": label}}
    )


def if_claims(plan: Plan) -> list[Values]:
    """The page (and the facts it reads) where a claim reads a table of the run."""
    return ONCE if plan.claims.measures else []


def claims_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The claims file, its sources' text, the tables it reads, the manifests, and the freeze
    record where it exists."""
    claims = plan.claims
    assert claims.claims_file is not None
    return {
        "claims": [claims.claims_file],
        "sources": claims.sources,
        "tables": claims.tables(),
        "manifests": claims.manifests(),
        "freeze": [claims.freeze] if claims.freeze and os.path.isfile(claims.freeze) else [],
    }


def claims_spec(plan: Plan, values: Values) -> ClaimsPageSpec:
    return plan.claims.command_spec()


def findings_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """The attack table, the sample-quality table and the verdict table, where the run makes them."""
    return {
        "attacks": [paths.ATTACKS] if plan.robustness.attack_jobs else [],
        "quality": [paths.SAMPLE_QUALITY_SUMMARY] if plan.generative.scored_rows() else [],
        "claims": [paths.CLAIMS_PARQUET] if plan.claims.measures else [],
    }


def if_findings(plan: Plan) -> list[Values]:
    """The main numbers where the run makes one of their tables."""
    return ONCE if any(findings_inputs(plan, Values()).values()) else []


def findings_spec(plan: Plan, values: Values) -> FindingsSpec:
    return FindingsSpec(replicate_of=dict(sorted(plan.study.replicate_of.items())))


def if_report_results(plan: Plan) -> list[Values]:
    """The provenance page where the report shows a result of another job: the page says
    whether the code that made the run's outputs is the installed one."""
    others = (kind for kind in plan.jobs.kinds if kind.name != "provenance")
    return ONCE if any(plan.jobs.reported(kind) for kind in others) else []


#: the config key under which the workflow hands :func:`landing` to the report's template (no
#: config section has a leading underscore: the schema refuses one)
LANDING = "_landing"


def landing(plan: Plan) -> dict[str, bool]:
    """Which of the pages' paragraphs the report's landing page includes
    (``workflow/report/workflow.rst``): those this run makes."""
    return {
        "claims": bool(if_claims(plan)),
        "findings": bool(if_findings(plan)),
        "provenance": bool(if_report_results(plan)),
    }


def provenance_inputs(plan: Plan, values: Values) -> dict[str, list[str]]:
    """Every other target: the job runs after the last of them."""
    own = set(PROVENANCE_OUTPUTS.values())
    return {"targets": [t for t in plan.targets() if t not in own]}


def provenance_spec(plan: Plan, values: Values) -> ProvenancePageSpec:
    """The options of the printed rebuild command (this run's config files, relative to the
    working folder when below it, so a moved or copied study does not rerun the page) and the
    installed code's digest."""
    files = " ".join(shlex.quote(display(f)) for f in plan.configfiles)
    options = f"--cores all --configfile {files}" if files else "--cores all"
    return ProvenancePageSpec(snakemake_options=options, code=code_digest())


PROVENANCE_OUTPUTS = {"html": paths.PROVENANCE_HTML, "rst": paths.PROVENANCE_RST}

KINDS = (
    JobKind(
        "claims",
        "the claims page (results/claims.html): verdicts of the claims file on this run, with intervals",
        outputs={
            "html": page(paths.CLAIMS_HTML, CLAIMS_CATEGORY, "claims.rst", "claims of the source documents"),
            "md": paths.CLAIMS_MD,
            "parquet": paths.CLAIMS_PARQUET,
            "rst": paths.CLAIMS_RST,
        },
        trees={"results": RESULTS},
        each=if_claims,
        inputs=claims_inputs,
        spec=claims_spec,
        spec_type=ClaimsPageSpec,
        run=claims_page,
        local=True,
        command_name="claims-page",
    ),
    JobKind(
        "findings",
        "the report's main numbers: robustness per classifier, the generators' scores, the verdict counts",
        outputs={"rst": paths.FINDINGS_RST, "md": paths.FINDINGS_MD},
        each=if_findings,
        inputs=findings_inputs,
        spec=findings_spec,
        spec_type=FindingsSpec,
        run=findings_job,
        local=True,
    ),
    JobKind(
        "report_facts",
        "recompute the GAN report's parameter counts and convolution-gradient identities (a table)",
        outputs={"table": paths.REPORT_FACTS},
        each=if_claims,
        inputs=no_inputs,
        spec=no_settings,
        spec_type=NoSettings,
        run=report_facts_job,
        local=True,
    ),
    JobKind(
        "provenance",
        "the report's page of the outputs built by other code than the installed advgen",
        outputs={
            "html": page(
                paths.PROVENANCE_HTML, "Provenance", "provenance.rst", "outputs built by other code"
            ),
            "rst": paths.PROVENANCE_RST,
        },
        trees={"results": RESULTS},
        each=if_report_results,
        inputs=provenance_inputs,
        spec=provenance_spec,
        spec_type=ProvenancePageSpec,
        run=provenance_job,
        local=True,
        command_name="provenance-page",
    ),
)
