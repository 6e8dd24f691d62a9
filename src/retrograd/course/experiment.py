"""What an experiment returns: the course's claims next to what we measure."""
import os
from dataclasses import dataclass, field


@dataclass
class Claim:
    """One statement of the course and its check: ``course`` says it (quoting or
    paraphrasing the slide), ``measured`` is what retrograd computes, ``holds``
    whether the measurement agrees."""
    course: str
    measured: str
    holds: bool

    def __post_init__(self):
        self.holds = bool(self.holds)


@dataclass
class Result:
    """An experiment's outcome: its claims, its numbers (for tests and the
    report's JSON), the figures written (paths) and the slides' errata that
    concern it."""
    name: str
    title: str
    slides: str
    claims: list = field(default_factory=list)
    numbers: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)
    errata: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    seconds: float = 0.0
    error: str = None   # set when the experiment could not run (e.g. MNIST missing)

    @property
    def ok(self):
        return self.error is None and all(c.holds for c in self.claims)

    def claim(self, course, measured, holds):
        self.claims.append(Claim(course, measured, holds))
        return holds

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
        if self.error:
            lines.append(f"  [ERROR] {self.error}")
        for c in self.claims:
            lines.append(f"  [{'ok' if c.holds else 'FAILS'}] course: {c.course}")
            lines.append(f"         measured: {c.measured}")
        for e in self.errata:
            lines.append(f"  slide erratum: {e}")
        for n in self.notes:
            lines.append(f"  note: {n}")
        for f in self.figures:
            lines.append(f"  figure: {f}")
        return "\n".join(lines)
