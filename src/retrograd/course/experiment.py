"""What an experiment returns: the course's claims next to what we measure,
each judged against a stated tolerance.

A claim has one of three verdicts:

* **holds** (✓): the measurement meets the tolerance;
* **partial** (◐): it does not, but the course's statement is reproduced
  qualitatively — e.g. the slide's "×6 fewer iterations with ReLU" was measured
  on a CNN on CIFAR-10; an MLP on MNIST is faster with ReLU too, but ×1.9, not ×6;
* **fails** (✗): the measurement contradicts the statement.

The tolerance is a sentence giving the criterion and its numbers (for a partial
verdict, also what counts as the qualitative reproduction), so that a reader can
check each verdict against the measured values next to it.
"""
import os
from dataclasses import dataclass, field

HOLDS, PARTIAL, FAILS = "holds", "partial", "fails"
VERDICTS = (HOLDS, PARTIAL, FAILS)
SYMBOL = {HOLDS: "✓", PARTIAL: "◐", FAILS: "✗"}
TAG = {HOLDS: "ok", PARTIAL: "partial", FAILS: "FAILS"}     # the CLI's [ok] / [partial] / [FAILS]


def verdict(holds, partial=False):
    """HOLDS when the tolerance is met, else PARTIAL when the statement is still
    reproduced qualitatively, else FAILS."""
    return HOLDS if holds else PARTIAL if partial else FAILS


@dataclass
class Claim:
    """One statement of the course and its check: ``course`` says it (quoting or
    paraphrasing the slide; where the slide is wrong, the corrected statement with
    the slide's version in parentheses), ``measured`` is what retrograd computes,
    ``tolerance`` how the measurement is judged, ``verdict`` one of HOLDS,
    PARTIAL, FAILS."""
    course: str
    measured: str
    verdict: str
    tolerance: str

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"Claim: verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if not self.tolerance:
            raise ValueError(f"Claim {self.course!r}: state the tolerance it is judged with")

    @property
    def holds(self):
        return self.verdict == HOLDS

    @property
    def symbol(self):
        return SYMBOL[self.verdict]


def count(claims):
    """``{HOLDS: n, PARTIAL: n, FAILS: n}`` over ``claims``."""
    n = dict.fromkeys(VERDICTS, 0)
    for c in claims:
        n[c.verdict] += 1
    return n


@dataclass
class Result:
    """An experiment's outcome: its claims, its numbers (for tests and the
    report's JSON), the figures written (paths) and the slides' errata that
    concern it. An experiment that did not run has ``skipped`` (why, when a
    dataset is missing: not a failure of the experiment) or ``error`` set."""
    name: str
    title: str
    slides: str
    claims: list = field(default_factory=list)
    numbers: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)
    errata: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    seconds: float = 0.0
    error: str = None     # set when the experiment raised
    skipped: str = None   # set when it was not run (MNIST missing): why, and how to fix it

    @property
    def ran(self):
        return self.error is None and self.skipped is None

    @property
    def ok(self):
        """It ran and no claim fails (partial claims are not failures)."""
        return self.ran and all(c.verdict != FAILS for c in self.claims)

    def claim(self, course, measured, holds, tolerance, partial=False):
        """Record a claim (see ``Claim``): ``holds``: whether the measurement
        meets ``tolerance``; ``partial``: when it does not, whether the statement
        is still reproduced qualitatively. Returns the verdict."""
        c = Claim(course, measured, verdict(holds, partial), tolerance)
        self.claims.append(c)
        return c.verdict

    def save(self, fig, out, filename):
        """Write ``fig`` into the directory ``out`` (nothing when ``out`` is None)."""
        if out is None:
            return None
        from ..viz import save
        os.makedirs(out, exist_ok=True)
        path = save(fig, os.path.join(out, filename))
        self.figures.append(path)
        return path

    def text(self):
        """The result as the CLI prints it."""
        lines = [f"== {self.name}: {self.title}  [{self.slides}]"]
        if self.skipped:
            lines.append(f"  [SKIPPED] {self.skipped}")
            return "\n".join(lines)
        if self.error:
            lines.append(f"  [ERROR] {self.error}")
        for c in self.claims:
            lines.append(f"  [{TAG[c.verdict]}] course: {c.course}")
            lines.append(f"         measured: {c.measured}")
            lines.append(f"         tolerance: {c.tolerance}")
        for e in self.errata:
            lines.append(f"  slide erratum: {e}")
        for n in self.notes:
            lines.append(f"  note: {n}")
        for f in self.figures:
            lines.append(f"  figure: {f}")
        return "\n".join(lines)
