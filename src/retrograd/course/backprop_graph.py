"""9. The computational graph of f(x, y, z) = (x + y)·z at x = −2, y = 5, z = −4
(section 5, "Automatic Differentiation (AD)", "Rétropropagation et graphe de
calcul"): the forward pass gives q = 3, f = −12, one backward pass gives every
∂f/∂·; forward-mode AD needs one pass per input for the same gradient."""
import os

import numpy as np

import retrograd as rg
from retrograd import autodiff, viz

from .experiment import Result

NAME = "backprop-graph"
TITLE = "f = (x + y)·z: forward values and backward gradients on the graph"
SLIDES = "§5 Automatic Differentiation, Rétropropagation et graphe de calcul"


def course_example():
    """The named tensors after forward and backward, and the graph captured
    before backward (the graph reads the gradients when drawn)."""
    x = rg.tensor(-2.0, requires_grad=True)
    y = rg.tensor(5.0, requires_grad=True)
    z = rg.tensor(-4.0, requires_grad=True)
    q = x + y
    q.retain_grad()          # q is not a leaf: keep ∂f/∂q to show it
    f = q * z
    for t, name in ((x, "x"), (y, "y"), (z, "z"), (q, "q"), (f, "f")):
        t.name = name
    g = viz.graph(f)
    f.backward()
    return g, dict(x=x, y=y, z=z, q=q, f=f)


def run(out=None, quick=False, seed=0):
    r = Result(NAME, TITLE, SLIDES)
    g, t = course_example()
    q, f = t["q"].item(), t["f"].item()
    grads = {k: float(t[k].grad.item()) for k in ("x", "y", "z", "q")}
    r.numbers.update(q=q, f=f, grads=grads)
    r.claim("forward pass: q = x + y = 3, f = q·z = −12", f"q = {q:g}, f = {f:g}",
            q == 3 and f == -12, "exact")
    r.claim("backward: ∂f/∂q = z = −4, ∂f/∂x = ∂f/∂y = ∂f/∂q·1 = −4, ∂f/∂z = q = 3",
            "∂f/∂q = {q:g}, ∂f/∂x = {x:g}, ∂f/∂y = {y:g}, ∂f/∂z = {z:g}".format(**grads),
            grads == {"x": -4.0, "y": -4.0, "z": 3.0, "q": -4.0}, "exact")
    # Forward mode: one pass per input direction gives one partial derivative each.
    fn = lambda x, y, z: (x + y) * z  # noqa: E731
    primals = [rg.tensor(-2.0), rg.tensor(5.0), rg.tensor(-4.0)]
    fwd = []
    for k in range(3):
        tangents = [rg.tensor(float(i == k)) for i in range(3)]
        fwd.append(float(autodiff.jvp(fn, primals, tangents)[1].item()))
    r.numbers["forward_mode"] = fwd
    r.claim("forward-mode AD: N forward passes (one per input) vs 1 forward + 1 backward",
            f"3 jvp passes give {fwd}, the same as one backward pass",
            np.allclose(fwd, [grads["x"], grads["y"], grads["z"]]),
            "equal to backward's to NumPy's allclose (rtol 1e-5)")
    if out is not None:
        os.makedirs(out, exist_ok=True)
        path = g.render(os.path.join(out, "backprop_graph.png"), engine="layered")
        r.figures.append(path)
    return r
