"""11. Numerical vs automatic derivatives (section 5, "Calcul des dérivées
partielles"): the error of the finite difference (f(x + h) − f(x))/h against the
exact derivative from backward, as h varies — a V: truncation error ∝ h on the
right, rounding error ∝ ε/h on the left — and the central difference
(f(x + h) − f(x − h))/(2h), whose truncation error is ∝ h²."""
import numpy as np

import retrograd as rg
from retrograd import autodiff

from .experiment import Result

NAME = "finite-differences"
TITLE = "finite differences vs automatic differentiation: the V-shaped error"
SLIDES = "§5 Calcul des dérivées partielles"
ERRATA = ["The slide writes f′(x) ≈ (f(x + h) * f(x))/h; the forward difference is "
          "(f(x + h) − f(x))/h. The central difference (f(x + h) − f(x − h))/(2h) is "
          "better: error O(h²) instead of O(h)."]
X0 = 1.0


def f(x):
    return rg.sigmoid(x)


def value(x, dtype):
    return float(f(rg.tensor(np.array(x, dtype=dtype))).item())


def run(out=None, quick=False, seed=0):
    r = Result(NAME, TITLE, SLIDES, errata=list(ERRATA))
    exact = float(autodiff.grad(f)(rg.tensor(X0, dtype="float64")).item())
    hs = np.logspace(-16, 0, 33 if quick else 129)
    errors = {}
    for name, dtype, central in (("forward, float64", np.float64, False),
                                 ("central, float64", np.float64, True),
                                 ("forward, float32", np.float32, False)):
        x = dtype(X0)
        est = []
        for h in hs:
            h = dtype(h)
            if central:
                est.append((value(x + h, dtype) - value(x - h, dtype)) / (2 * float(h)))
            else:
                est.append((value(x + h, dtype) - value(x, dtype)) / float(h))
        errors[name] = np.abs(np.array(est) - exact)
    best = {k: (float(hs[np.argmin(e)]), float(e.min())) for k, e in errors.items()}
    r.numbers.update(exact=exact, best=best)
    fw, ce = best["forward, float64"], best["central, float64"]
    r.claim("automatic differentiation is exact; f′(1) = σ(1)(1 − σ(1)) for f = σ",
            f"backward gives {exact:.15f}, closed form "
            f"{value(X0, np.float64) * (1 - value(X0, np.float64)):.15f}",
            abs(exact - value(X0, np.float64) * (1 - value(X0, np.float64))) < 1e-15,
            "|backward − closed form| < 1e-15 (float64 rounding)")
    e = errors["forward, float64"]
    i = int(np.argmin(e))
    v_shape = e[0] > 100 * e[i] and e[-1] > 100 * e[i]
    r.claim("finite differences: approximation and numerical stability problems "
            "(the error is V-shaped in h)",
            f"forward difference (float64): error {e[-1]:.1e} at h = 1, {fw[1]:.1e} at the "
            f"best h = {fw[0]:.0e} (≈ √ε = 1.5e-08), {e[0]:.1e} at h = 1e-16",
            v_shape and 1e-10 < fw[0] < 1e-6,
            "the errors at h = 1 and h = 1e-16 both > 100 × the best; the best h within "
            "[1e-10, 1e-6] (around √ε)")
    r.claim("the central difference is better",
            f"best error {ce[1]:.1e} at h = {ce[0]:.0e} (≈ ε^(1/3) = 6e-06) vs {fw[1]:.1e} "
            f"forward; float32 forward: best {best['forward, float32'][1]:.1e} at h = "
            f"{best['forward, float32'][0]:.0e}",
            ce[1] < fw[1] / 10 and ce[0] > fw[0],
            "central's best error < forward's / 10, at a larger h (float64)")
    # Slopes of the truncation side: error ∝ h (forward), ∝ h² (central).
    big = (hs >= 1e-4) & (hs <= 1e-2)
    slopes = {k: float(np.polyfit(np.log10(hs[big]), np.log10(errors[k][big]), 1)[0])
              for k in ("forward, float64", "central, float64")}
    r.numbers["truncation_slopes"] = slopes
    r.claim("truncation error O(h) forward, O(h²) central",
            f"log-log slopes on h ∈ [1e-4, 1e-2]: {slopes['forward, float64']:.2f} (forward), "
            f"{slopes['central, float64']:.2f} (central)",
            abs(slopes["forward, float64"] - 1) < 0.1 and abs(slopes["central, float64"] - 2) < 0.2,
            "slopes 1 ± 0.1 (forward), 2 ± 0.2 (central)")
    if out is not None:
        from retrograd.viz import new_figure
        fig, ax = new_figure(width=6.0, height=3.8)
        for k, err in errors.items():
            ax.loglog(hs, np.maximum(err, 1e-17), "o-", ms=2.5, lw=1, label=k)
        eps = np.finfo(np.float64).eps
        ax.axvline(np.sqrt(eps), color="C0", ls=":", lw=0.8)
        ax.axvline(eps ** (1 / 3), color="C1", ls=":", lw=0.8)
        ax.set_xlabel("step h")
        ax.set_ylabel("|finite difference − autodiff|")
        ax.set_title(f"f = σ at x = {X0:g}; dotted: " + r"$h = \sqrt{\varepsilon}$ and "
                     r"$h = \varepsilon^{1/3}$ (float64)", fontsize=9)
        ax.set_ylim(1e-13, 1)
        ax.grid(alpha=0.3, which="major")
        ax.legend(fontsize=8)
        r.save(fig, out, "finite_differences.png")
    return r
