"""The gallery: ``index.md`` with every figure next to the course's claims, the
measured values, the tolerance each is judged with and its verdict, and the
slides' errata next to the figures they concern; ``results.json`` with every
number."""
import json
import os
import textwrap

from .experiment import SYMBOL, VERDICTS, count
from .reproducible import statement

HEADER = """# The course, reproduced

Every experiment of the course *Apprentissage profond — Introduction à l'apprentissage
profond* (O. Pons, A. Breloy, CNAM, 2024), run with retrograd. Regenerate this page and
its figures with

    retrograd course all --out docs/course        # or: python -m retrograd.course all --out docs/course

Each section gives the slide, what the course says, what retrograd measures, the tolerance
the measurement is judged with, and the verdict: ✓ it holds; ◐ partial — the course's
statement is reproduced qualitatively but not its number (the tolerance says what counts
as each); ✗ it does not hold. Where a slide is wrong, the claim checked is the corrected
statement, the slide's version in parentheses, and a box marked **Where the slide is
wrong** gives the correct formula, which retrograd implements. Every experiment runs in
seconds to a couple of minutes on a laptop CPU (`retrograd course NAME`); `--quick` runs a
reduced size, as `tests/test_course.py` does.

**{summary}.**

{reproducibility}
"""


def write_report(results, out, seed=0, quick=False):
    """Write ``index.md`` and ``results.json`` for ``results`` (a list of
    ``Result``) into ``out``; returns the path of index.md."""
    from . import summary
    os.makedirs(out, exist_ok=True)
    sizes = " (quick sizes)" if quick else ""
    md = [HEADER.format(summary=summary(results),
                        reproducibility=textwrap.fill(f"Seed {seed}{sizes}. {statement()}", 90,
                                                      break_on_hyphens=False))]
    md += ["| # | experiment | slides | claims |", "|---|---|---|---|"]
    for i, r in enumerate(results, 1):
        md.append(f"| {i} | [{r.name}](#{_anchor(i, r.name)}) | {r.slides} | {_verdicts(r)} |")
    errata = [(i, r, e) for i, r in enumerate(results, 1) for e in r.errata]
    if errata:
        md += ["", "## Where the slides are wrong", ""]
        md += [f"- [{r.name}](#{_anchor(i, r.name)}): {e}" for i, r, e in errata]
    for i, r in enumerate(results, 1):
        md += ["", f"## {i}. {r.name}", "", f"**{r.title[0].upper() + r.title[1:]}.** "
               f"*Slides: {r.slides}* — `retrograd course {r.name}`", ""]
        if r.skipped:
            md += [f"**Skipped:** {r.skipped}.", ""]
        if r.error:
            md += [f"**Could not run:** `{r.error}`", ""]
        if r.claims:
            md += ["| the course says | retrograd measures | tolerance | |", "|---|---|---|---|"]
            md += [f"| {_cell(c.course)} | {_cell(c.measured)} | {_cell(c.tolerance)} | "
                   f"{c.symbol} |" for c in r.claims]
            md.append("")
        for e in r.errata:
            md += [f"> **Where the slide is wrong.** {e}", ""]
        for f in r.figures:
            name = os.path.basename(f)
            md += [f"![{r.name}: {name}]({name})", ""]
        for n in r.notes:
            md += [n, ""]
    path = os.path.join(out, "index.md")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(md).rstrip() + "\n")
    data = [{"name": r.name, "title": r.title, "slides": r.slides, "ok": r.ok, "error": r.error,
             "skipped": r.skipped,
             "claims": [{"course": c.course, "measured": c.measured, "tolerance": c.tolerance,
                         "verdict": c.verdict, "holds": c.holds} for c in r.claims],
             "numbers": r.numbers, "figures": [os.path.basename(f) for f in r.figures],
             "errata": r.errata} for r in results]
    with open(os.path.join(out, "results.json"), "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, ensure_ascii=False, default=_plain)
        fh.write("\n")
    return path


def _verdicts(r):
    """The summary table's cell: "4 ✓ 1 ◐", "skipped (MNIST not found)", "error"."""
    if r.skipped:
        return "skipped (MNIST not found)"
    if r.error:
        return "error"
    n = count(r.claims)
    return " ".join(f"{n[v]} {SYMBOL[v]}" for v in VERDICTS if n[v]) or "no claim"


def _anchor(i, name):
    """GitHub's anchor of the heading "## {i}. {name}" (names are lowercase, with
    hyphens, so only the dot and the space change)."""
    return f"{i}-{name}"


def _cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def _plain(x):
    """JSON for NumPy scalars and arrays, tuples of them, and anything else as text."""
    if hasattr(x, "tolist"):
        return x.tolist()
    return str(x)
