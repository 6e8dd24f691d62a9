"""``retrograd.course``: the course (``shared/seed``, Pons & Breloy, CNAM),
reproduced — each slide's experiment as a small module named after it, which
computes what the slide shows, checks the slide's claims numerically, and draws
its figure(s).

    retrograd course list
    retrograd course xor --out figures/
    retrograd course all --out docs/course      # every experiment + index.md

In Python: ``course.run("init", out="figs")`` returns a ``Result`` (its
``claims``: what the course says, what we measure, whether it holds;
``numbers``; ``figures``; the slides' ``errata``). ``quick=True`` runs each at a
reduced size (the tests do).
"""
import time

from . import (activations, backprop_graph, dropout, finite_differences, gradient_descent,
               initialization, lr_decay, mnist_logreg, neuron, overfitting, relu_vs_tanh,
               sgd_modes, softmax_stability, softmax_toy, universal_approximation, xor)
from .experiment import Claim, Result

# In the course's order (sections 2 → 6).
EXPERIMENTS = {m.NAME: m for m in (
    neuron, activations, softmax_toy, xor, universal_approximation, gradient_descent,
    sgd_modes, lr_decay, backprop_graph, softmax_stability, finite_differences,
    initialization, relu_vs_tanh, overfitting, dropout, mnist_logreg)}


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
    ``Result`` with ``seconds`` set."""
    module = get(name)
    kwargs = {"data_dir": data_dir} if needs_mnist(name) else {}
    start = time.perf_counter()
    result = module.run(out=out, quick=quick, seed=seed, **kwargs)
    result.seconds = time.perf_counter() - start
    return result


def run_safely(name, out=None, quick=False, seed=0, data_dir=None):
    """``run``, but an experiment that cannot run (MNIST missing, …) gives a
    ``Result`` carrying the error instead of stopping the others."""
    try:
        return run(name, out, quick, seed, data_dir)
    except Exception as e:  # noqa: BLE001 — reported in the result, and by the CLI
        m = get(name)
        return Result(name, m.TITLE, m.SLIDES, errata=list(getattr(m, "ERRATA", [])),
                      error=f"{type(e).__name__}: {e}")


__all__ = ["EXPERIMENTS", "names", "get", "run", "run_safely", "needs_mnist", "Result",
           "Claim"]
