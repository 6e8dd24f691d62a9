"""``plot_activation``: an activation φ and its derivative φ′, the derivative
computed by retrograd's reverse mode (so the picture also shows what backward
propagates)."""
import numpy as np

from .figure import new_figure

# The course's activations (section 6): name → (φ(z, **params), formula, defaults).
# φ takes and returns a Tensor; the formulas are matplotlib mathtext.


def _table():
    from ..tensor import Tensor
    from ..nn import functional as F
    return {
        "heaviside": (F.heaviside, r"Heaviside $H(z)=1$ if $z\geq 0$ else $0$", {}),
        "sigmoid": (lambda z, a=1.0: F.sigmoid(z, a=a), r"sigmoid $\sigma_a(z)=1/(1+e^{-az})$",
                    {"a": 1.0}),
        "tanh": (F.tanh, r"$\tanh z=(e^z-e^{-z})\,/\,(e^z+e^{-z})$", {}),
        "relu": (F.relu, r"ReLU $\max(0, z)$", {}),
        "leaky_relu": (lambda z, negative_slope=0.1: F.leaky_relu(z, negative_slope),
                       r"LReLU: $z$ if $z>0$ else $\lambda z$", {"negative_slope": 0.1}),
        "prelu": (lambda z, weight=0.25: F.prelu(z, Tensor(np.array([weight], z.dtype))),
                  r"PReLU: $\lambda_k$ learned", {"weight": 0.25}),
        "rrelu": (lambda z, lower=1 / 8, upper=1 / 3, training=True, seed=0:
                  F.rrelu(z, lower, upper, training=training,
                          generator=np.random.default_rng(seed)),
                  r"RReLU: $\lambda\sim\mathcal{U}(l, u)$", {"lower": 1 / 8, "upper": 1 / 3,
                                                            "training": True}),
        "elu": (lambda z, alpha=1.0: F.elu(z, alpha), r"ELU: $z$ or $\alpha(e^z-1)$",
                {"alpha": 1.0}),
    }


COURSE_ACTIVATIONS = ("heaviside", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "rrelu",
                      "elu")


def activation_curve(name, z=None, **params):
    """``(z, φ(z), φ′(z))`` as float64 NumPy arrays on ``z`` (default 401 points
    on [−4, 4]); φ′ is the gradient of Σ φ(zᵢ) by backward, i.e. φ′ elementwise.

    ``name``: one of ``COURSE_ACTIVATIONS``, a Keras name
    (``nn.activations.get``), or a function of a Tensor; ``params`` go to φ
    (e.g. ``a=10`` for the sigmoid, ``negative_slope=0.2``)."""
    from ..tensor import Tensor
    fn = _resolve(name, params)
    z = np.linspace(-4.0, 4.0, 401) if z is None else np.asarray(z, dtype=np.float64)
    x = Tensor(z, requires_grad=True, dtype="float64")
    y = fn(x)
    if tuple(y.shape) != tuple(x.shape):
        raise ValueError(f"plot_activation: {name!r} maps shape {tuple(x.shape)} to "
                         f"{tuple(y.shape)}; expected an elementwise function")
    if y.requires_grad:
        y.sum().backward()
        dy = x.grad.numpy()
    else:  # e.g. the Heaviside step: no gradient flows
        dy = np.zeros_like(z)
    return z, y.numpy().astype(np.float64), np.asarray(dy, dtype=np.float64)


def plot_activation(name, derivative=True, z=None, ax=None, **params):
    """Plot φ (and φ′ when ``derivative``) for an activation ``name`` (see
    ``activation_curve``); draws into ``ax`` if given, else a new figure.
    Returns the Figure.

    >>> fig = plot_activation("tanh"); viz.save(fig, "tanh.png")
    """
    z, y, dy = activation_curve(name, z, **params)
    if ax is None:
        fig, ax = new_figure(width=4.0, height=3.0)
    else:
        fig = ax.figure
    jumps = name in ("heaviside",) or name == "rrelu" and params.get("training", True)
    style = dict(ls="none", marker=".", ms=2) if name == "rrelu" and \
        params.get("training", True) else {}
    ax.plot(z, y, color="C0", label=r"$\varphi(z)$", **({} if jumps and not style else style))
    if derivative:
        note = r" = 0 ($\delta$ at 0)" if name == "heaviside" else " (backward)"
        ax.plot(z, dy, color="C3", label=r"$\varphi'(z)$" + note,
                **(style or {"ls": "--"}))
    ax.axhline(0, color="0.6", lw=0.6)
    ax.axvline(0, color="0.6", lw=0.6)
    title = _title(name, params)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("z")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    return fig


def _title(name, params):
    if isinstance(name, str) and name in _table():
        _, formula, defaults = _table()[name]
        shown = {**defaults, **params}
        shown.pop("seed", None)
        extra = ", ".join(f"{k}={_fmt(v)}" for k, v in shown.items())
        return formula + (f"\n({extra})" if extra else "")
    return getattr(name, "__name__", str(name))


def _fmt(v):
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def _resolve(name, params):
    if callable(name) and not isinstance(name, str):
        return (lambda z: name(z, **params)) if params else name
    table = _table()
    if name in table:
        fn, _, defaults = table[name]
        unknown = set(params) - set(defaults) - {"seed"}
        if unknown:
            raise TypeError(f"plot_activation: {name!r} takes {sorted(defaults)}, got "
                            f"unexpected {sorted(unknown)}")
        return lambda z: fn(z, **params)
    from ..nn import activations
    try:
        fn = activations.get(name)
    except (ValueError, TypeError):
        raise ValueError(f"plot_activation: unknown activation {name!r}; expected one of "
                         f"{list(COURSE_ACTIVATIONS)}, a Keras name or a function") from None
    return (lambda z: fn(z, **params)) if params else fn
