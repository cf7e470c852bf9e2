"""The claims file's parts as read (:mod:`advgen.claims.reading.claims_file` reads the file,
:mod:`advgen.claims.reading.spec` builds its parts): a side (:class:`Term`), the declared test, its control
and margin checks, the preconditions a verdict needs, the training-scale note and the claim itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from string import Formatter

from advgen.claims.reading.expressions import columns as names


@dataclass(frozen=True)
class Term:
    """One side: rows of a table, grouped into runs, reduced to values."""

    table: str
    value: str
    label: str = ""
    models: tuple[tuple[str, str], ...] = ()  # (column, role)
    query: str | None = None
    per: str = "examples"
    count: str | None = None
    example: str | None = None
    reduce: str = "mean"
    unit: tuple[str, ...] = ()  # columns whose values make one run (default: the first models column)
    #: what one run is, and one example (plural): the page's n ("3 seeds × 500 digits")
    runs: str = "seeds"
    examples: str = "examples"
    #: read each run's share of rows (``per: run``, a 0/1 value per row) on the logit scale: its
    #: empirical logit with the rows as n (set by :func:`advgen.claims.reading.scales.on_scale`)
    logit: bool = False

    @property
    def table_roles(self) -> list[str]:
        """Roles named as ``{role}`` in the table path (one table per run)."""
        return [name for _, name, _, _ in Formatter().parse(self.table) if name]

    @property
    def roles(self) -> list[str]:
        return [*self.table_roles, *(role for _, role in self.models)]

    def columns(self) -> set[str]:
        """Every column the side reads (for the check against what the DAG produces)."""
        cols = set(names(self.value))
        if self.query:
            cols |= names(self.query)
        cols |= {col for col, _ in self.models}
        if self.count:
            cols |= names(self.count)
        if self.example:
            cols.add(self.example)
        cols |= set(self.unit)
        if self.reduce == "last_epoch":
            cols.add("epoch")
        return cols

    def describe(self) -> str:
        where = f" [{self.query}]" if self.query else ""
        who = ", ".join(f"{c} of {r}" for c, r in self.models)
        return f"{self.table}{' (' + who + ')' if who else ''}{where}: {self.value}"


@dataclass(frozen=True)
class Change:
    """A recorded change after the test was first fixed: a margin (numbers) or the test itself
    (its old and new wording), with the date and the reason."""

    date: str
    old: float | str
    new: float | str
    reason: str

    def text(self) -> str:
        def fmt(v: float | str) -> str:
            return f"{v:g}" if isinstance(v, float) else v

        return f"{self.date}: {fmt(self.old)} → {fmt(self.new)} ({self.reason})"


@dataclass(frozen=True)
class Test:
    """The statistical test a claim declares up front.

    ``direction``: ``greater`` / ``less`` (one-sided against ``margin``) or ``equivalent``
    (``margin`` is the source's number and ``tolerance`` the band around it: TOST).
    """

    effect: str
    direction: str
    margin: float
    margin_source: str  # "source" or "ours"
    margin_note: str  # the source's number, or our reason
    by: str | None = None
    paired: bool = False
    changes: tuple[Change, ...] = ()
    tolerance: float = 0.0
    tolerance_note: str = ""


#: the kinds of control (``control.kind``): a measurement through the same code where the claimed
#: effect is absent because of how its data or model was made, so that a broken measurement (a bug,
#: a leak, a constant, a sorted split, a fault of one side's measurement) would make the test hold;
#: or, for the positive kinds (:data:`POSITIVE_KINDS`), where it is present by construction, so that
#: a measurement that cannot show it fails there. The permuted halves (one condition's units split in
#: two) are a calibration of the interval (``calibration:``), not a control.
CONTROL_KINDS = {
    "noise": "same-norm random noise in place of the adversarial perturbation",
    "random_sign": "a random-sign perturbation at the same eps",
    "other_image": "another test digit's adversarial perturbation at this digit's norm: its link to the image broken",
    "shuffled": "pairings or labels shuffled, so that no relation is left",
    "other_class": "a digit of another class",
    "null_model": "a model built without the property the claim is about",
    "null_input": "an input on which the effect is absent by construction (eps 0, the identity)",
    "real_data": "the real digits, where the effect is absent by how the data were made",
    "opposite_effect": "a comparison where the claimed property is absent because its opposite is built in (the "
    "error still falling, adversarial digits in place of clean ones): tested with the claim's own test, not a null",
    "saturating_run": "a run built to saturate (a positive control: the test must hold there)",
    "known_effect": "a comparison whose effect is present by construction (a positive control: the test must "
    "hold there, or the measurement cannot show the effect)",
    "none": "no control exists (the reason is given)",
}
#: the kinds of positive control: the test must hold on them
POSITIVE_KINDS = frozenset({"saturating_run", "known_effect"})
#: the effect's value where there is none (a negative control is built to realise it)
NO_EFFECT = {"difference": 0.0, "trend": 0.0, "ratio": 1.0}


@dataclass(frozen=True)
class Control:
    """A claim's control.

    A negative control (every kind but :data:`POSITIVE_KINDS`): the input under which the test
    must not find an effect; ``terms`` are the claim's sides with the control's overrides merged in
    (another query, model role or table). A positive control (``expect == "holds"``): the input on
    which the test must hold, or the measurement cannot show the effect at all. ``kind: none`` has
    no test, only its ``reason``. A calibration (``kind == "permuted"``, the claim's
    ``calibration``) has ``permute`` instead of terms: the side whose units are split at random into
    two halves of one condition (``a`` / ``b``), or the trend's grid column whose values are
    permuted within each run.
    """

    what: str
    kind: str
    terms: tuple[Term, ...] = ()
    permute: str | None = None
    expect: str = "not_holds"
    reason: str = ""


@dataclass(frozen=True)
class MarginCheck:
    """A margin check, not a control: the claim's test on its sides exchanged (``swap``) or made
    equal (``same``: both read side ``a`` or ``b``). It catches a margin that lets an empty
    difference pass ("a - b > -0.05"); it can never hold on a sound test, so one that holds is an
    error."""

    what: str
    swap: bool = False
    same: str | None = None


@dataclass(frozen=True)
class Requirement:
    """A precondition of the verdict: every row ``term`` selects (``each: row``), or each run's
    mean over its rows (``each: run``: "inversion keeps the label of >= 90 % of the digits"),
    must have its value at least (or at most) ``bound``; else the claim gets no verdict ("not
    valid") and says why."""

    what: str
    term: Term
    bound: float
    direction: str  # "at_least" or "at_most"
    each: str = "row"  # "row" or "run"


@dataclass(frozen=True)
class Evidence:
    """The test that shows a "does not hold" is the study's scale (a trend with budget, the
    same test on a longer run): the verdict then reads "does not hold at this scale"."""

    what: str
    test: Test
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Scale:
    """A claim whose source trained far longer: the budget names compared, and the evidence."""

    budget: str  # a name of the claims file's `budgets`
    evidence: Evidence | None = None


@dataclass(frozen=True)
class Budget:
    """The source's training budget for a group of roles (ours is computed from the config)."""

    name: str
    what: str
    roles: tuple[str, ...]
    source: str


#: the scales a verdict may read (``reading.scales``): a rate's own (probability), its log-odds
#: (logit), a ratio's log (log), the measurement's own units (raw)
SCALES = ("probability", "logit", "log", "raw")
#: the scales that need their reason (``reading.scale_reason``)
REASONED_SCALES = frozenset({"logit", "log"})


@dataclass(frozen=True)
class Reading:
    """A claim read against its quote (docs/claims.md, "Reading a claim against its quote"): the
    source's proposition in one sentence; for a claim with a test, what the test measures, the
    claim's sidedness (``one_sided`` / ``two_sided``, the latter an equivalence test), the scales
    its verdict reads (two where they could disagree: a verdict needs both) with the reason for a
    logit or log scale, and the fault of the measurement its control would expose."""

    proposition: str
    measures: str = ""
    sides: str = ""
    scales: tuple[str, ...] = ()
    scale_reason: str = ""
    control_guards: str = ""


@dataclass(frozen=True)
class Claim:
    """One claim, where it comes from, and its test (none unless measured)."""

    id: str
    source: str
    section: str
    quote: str
    statement: str
    #: the claim read against its quote (None where the file gives no ``reading``)
    reading: Reading | None = None
    group: str = "source"
    status: str = "measured"
    reason: str = ""
    paper_value: str | None = None
    test: Test | None = None
    terms: tuple[Term, ...] = ()
    notes: str = ""
    line: int | None = None
    control: Control | None = None
    #: the permuted-halves check of the interval's calibration (not a control)
    calibration: Control | None = None
    checks: tuple[MarginCheck, ...] = ()
    requires: tuple[Requirement, ...] = ()
    scale: Scale | None = None
    #: generator roles whose quality gate does not apply (the claim is that they fail), and why
    gate_exempt: tuple[str, ...] = ()
    gate_reason: str = ""
    #: the role whose quality bar every generator of the claim must pass (one bar per comparison);
    #: "" for the union of the bars of the claim's generator roles
    gate_bar: str = ""
    #: the family of claims that share data (Holm's adjustment runs within it); "" for none
    family: str = ""
    #: the claim's own content, as read (its hash marks a claim changed after the freeze)
    digest: str = ""

    @property
    def roles(self) -> list[str]:
        return [r for t in self.terms for r in t.roles]

    def all_terms(self) -> list[Term]:
        """Every side the claim reads: its own, its control's, its preconditions' and its
        scale evidence's (the claims job's inputs)."""
        out = list(self.terms)
        if self.control is not None:
            out += list(self.control.terms)
        out += [r.term for r in self.requires]
        if self.scale is not None and self.scale.evidence is not None:
            out += list(self.scale.evidence.terms)
        return out


@dataclass
class ClaimsFile:
    """The claims file as read: the role vocabulary, the sources, the budgets and the claims."""

    path: str
    roles: dict[str, str]
    claims: list[Claim] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # source id -> its text's path
    budgets: dict[str, Budget] = field(default_factory=dict)
    #: family name -> what data its claims share (Holm's adjustment runs within each)
    families: dict[str, str] = field(default_factory=dict)
    #: the freeze record's path, relative to the claims file ("" for none declared)
    freeze: str = ""
    #: sha256 of the claims file's bytes
    sha256: str = ""
