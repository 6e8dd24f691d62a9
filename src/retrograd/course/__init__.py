"""``retrograd.course``: the course (``shared/seed``, Pons & Breloy, CNAM),
reproduced — each slide's experiment as a small module named after it, which
computes what the slide shows, checks the slide's claims numerically, and draws
its figure(s).

    retrograd course list
    retrograd course xor --out figures/
    retrograd course all --out docs/course      # every experiment + index.md

In Python: ``course.run("init", out="figs")`` returns a ``Result`` (its
``claims``: what the course says, what we measure, the tolerance it is judged
with and the verdict — holds, partial or fails; ``numbers``; ``figures``; the
slides' ``errata``). ``quick=True`` runs each at a reduced size (the tests do).

Five experiments train on MNIST (``needs_mnist``). Where MNIST is not on the
machine and cannot be downloaded, they are skipped — not run on another dataset,
since their claims are about MNIST — each with one line saying so and how to
provide it; ``summary`` counts them apart from the claims' verdicts.

Every run with the same seed gives the same numbers on a machine: see
``reproducible`` (seeded generators, one BLAS thread).
"""
import time

from . import (activations, backprop_graph, dropout, finite_differences, gradient_descent,
               initialization, lenet5, lr_decay, mnist_logreg, neuron, overfitting, relu_vs_tanh,
               sgd_modes, softmax_stability, softmax_toy, universal_approximation, xor)
from .experiment import FAILS, HOLDS, PARTIAL, Claim, Result, count
from .reproducible import one_blas_thread

# In the course's order (sections 2 → 6).
EXPERIMENTS = {m.NAME: m for m in (
    neuron, activations, softmax_toy, xor, universal_approximation, gradient_descent,
    sgd_modes, lr_decay, backprop_graph, softmax_stability, finite_differences,
    initialization, relu_vs_tanh, overfitting, dropout, mnist_logreg, lenet5)}

HOW_TO_GET_MNIST = ("put MNIST's four IDX files in $RETROGRAD_DATA/mnist (or pass --data DIR, "
                    "data_dir= in Python), or run once with network access to download them")


def names():
    """The experiments' names, in the course's order."""
    return list(EXPERIMENTS)


def get(name):
    """The module of experiment ``name``."""
    try:
        return EXPERIMENTS[name]
    except KeyError:
        raise ValueError(f"course: no experiment named {name!r}; expected one of "
                         f"{', '.join(EXPERIMENTS)}") from None


def needs_mnist(name):
    return getattr(get(name), "MNIST", False)


def run(name, out=None, quick=False, seed=0, data_dir=None):
    """Run experiment ``name``; figures go to the directory ``out`` (none when
    None); ``data_dir``: where MNIST is (MNIST experiments only). Returns its
    ``Result`` with ``seconds`` set. Raises what the experiment raises, e.g.
    ``DatasetNotFoundError`` without MNIST."""
    import retrograd as rg
    module = get(name)
    kwargs = {"data_dir": data_dir} if needs_mnist(name) else {}
    start = time.perf_counter()
    rg.manual_seed(seed)        # the same numbers whatever ran before (see reproducible)
    with one_blas_thread():
        result = module.run(out=out, quick=quick, seed=seed, **kwargs)
    result.seconds = time.perf_counter() - start
    return result


def mnist_missing(data_dir=None):
    """Why MNIST cannot be loaded (the loader's message), or None when it can.
    Looks where the experiments look (``data_dir``, else retrograd.datasets'
    search order), downloading it into the cache as they would."""
    from retrograd.datasets import DatasetNotFoundError, mnist
    from retrograd.datasets.files import fetch, locate
    try:
        if locate(mnist.CATALOG, data_dir) is not None:
            return None                  # found: no need to read 55 MB to know it
        if data_dir is None:
            fetch(mnist.CATALOG)         # downloads and checks it into the cache, or says why not
        else:
            mnist.load_data(path=data_dir)   # a folder without the files, or a .npz
    except DatasetNotFoundError as e:
        return str(e)
    return None


def skipped(name):
    """The ``Result`` of an MNIST experiment that was not run: MNIST is missing."""
    m = get(name)
    return Result(name, m.TITLE, m.SLIDES, errata=list(getattr(m, "ERRATA", [])),
                  skipped=f"MNIST not found; to run it, {HOW_TO_GET_MNIST}")


def run_safely(name, out=None, quick=False, seed=0, data_dir=None, missing=None):
    """``run``, but an experiment that cannot run does not stop the others: an
    MNIST experiment is skipped when MNIST is not found (or when ``missing``, the
    reason found by ``mnist_missing``, is given: then it is not looked for again);
    any other exception gives a ``Result`` carrying the error."""
    from retrograd.datasets import DatasetNotFoundError
    if missing and needs_mnist(name):
        return skipped(name)
    try:
        return run(name, out, quick, seed, data_dir)
    except DatasetNotFoundError as e:
        if needs_mnist(name):
            return skipped(name)
        error = e
    except Exception as e:  # noqa: BLE001 — reported in the result, and by the CLI
        error = e
    m = get(name)
    return Result(name, m.TITLE, m.SLIDES, errata=list(getattr(m, "ERRATA", [])),
                  error=f"{type(error).__name__}: {error}")


def summary(results):
    """One line for ``results``: the verdicts of the claims of the experiments that
    ran, then those that did not run and those with a failing claim. The CLI prints
    it and the report shows it, so the two agree with each other and with the
    claims listed."""
    n = count(c for r in results for c in r.claims)
    line = (f"{sum(n.values())} claims: {n[HOLDS]} hold ✓, {n[PARTIAL]} partial ◐, "
            f"{n[FAILS]} fail ✗")
    failing = [r.name for r in results if any(c.verdict == FAILS for c in r.claims)]
    skips = [r.name for r in results if r.skipped]
    errors = [r.name for r in results if r.error]
    if failing:
        line += f" (in {', '.join(failing)})"
    if skips:
        line += f"; {_experiments(skips)} skipped (MNIST not found): {', '.join(skips)}"
    if errors:
        line += f"; {_experiments(errors)} could not run (error): {', '.join(errors)}"
    return line


def exit_status(results):
    """The CLI's exit status: 1 when a claim fails or an experiment raised; else 3
    when an experiment was skipped (MNIST not found); else 0 — every experiment
    ran and every claim holds or holds partially."""
    if any(r.error or any(c.verdict == FAILS for c in r.claims) for r in results):
        return 1
    return 3 if any(r.skipped for r in results) else 0


def _experiments(names):
    return f"{len(names)} experiment" + ("s" if len(names) != 1 else "")


__all__ = ["EXPERIMENTS", "names", "get", "run", "run_safely", "needs_mnist", "mnist_missing",
           "skipped", "summary", "exit_status", "Result", "Claim", "HOLDS", "PARTIAL", "FAILS"]
