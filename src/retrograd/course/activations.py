"""2. The activations of the course (sections 1 and 6): Heaviside, sigmoid, tanh,
ReLU, LReLU, PReLU, RReLU, ELU, each with its derivative computed by backward."""
import numpy as np

import retrograd as rg
from retrograd import nn
from retrograd.viz import COURSE_ACTIVATIONS, activation_curve

from .experiment import Result

NAME = "activations"
TITLE = "the activation functions and their derivatives"
SLIDES = "§1 Fonction d'activation, §6 Non-linéarités modernes"
ERRATA = ["The tanh slide (§6) writes tanh(z) = (eᶻ − e⁻ᶻ)/(eᶻ − e⁻ᶻ), which is 1 "
          "everywhere; the denominator is eᶻ + e⁻ᶻ (as on the §1 slide)."]


def run(out=None, quick=False, seed=0):
    """Check φ′ by backward against the closed forms and the slides' numbers."""
    r = Result(NAME, TITLE, SLIDES, errata=list(ERRATA))
    z = np.linspace(-4, 4, 81 if quick else 401)
    curves = {name: activation_curve(name, z, **({"seed": seed} if name == "rrelu" else {}))
              for name in COURSE_ACTIVATIONS}
    _, s, ds = curves["sigmoid"]
    _, t, dt = curves["tanh"]
    errors = {"sigmoid": float(np.abs(ds - s * (1 - s)).max()),
              "tanh": float(np.abs(dt - (1 - t ** 2)).max())}
    r.numbers["derivative_errors"] = errors
    r.claim("σ′(z) = σ(z)(1 − σ(z)), tanh′ = 1 − tanh² (backward vs closed form)",
            f"max error {errors['sigmoid']:.1e} (σ), {errors['tanh']:.1e} (tanh)",
            max(errors.values()) < 1e-12,
            "max |backward − closed form| < 1e-12 (float64) on z ∈ [−4, 4]")
    _, s1, ds1 = activation_curve("sigmoid", [1.0])
    r.numbers["sigmoid_at_1"] = [float(s1[0]), float(ds1[0])]
    r.claim("x = 1.0 ⇒ σ(x) = 0.73, σ′(x) = 0.2 (§5 'Quelles opérations implémenter')",
            f"σ(1) = {s1[0]:.4f}, σ′(1) = {ds1[0]:.4f}",
            round(s1[0], 2) == 0.73 and round(ds1[0], 1) == 0.2,
            "equal to the slide's values at the slide's precision: σ(1) to 2 decimals, "
            "σ′(1) to 1")
    e = np.exp(z)
    num = (e - 1 / e)[z != 0]
    slide_tanh = num / num      # the §6 slide's denominator: the numerator again
    tanh_err = float(np.abs(t - (e - 1 / e) / (e + 1 / e)).max())
    r.numbers["tanh_formula_error"] = tanh_err
    r.claim("tanh z = (eᶻ − e⁻ᶻ)/(eᶻ + e⁻ᶻ) (the slide's §6 formula with eᶻ − e⁻ᶻ below is 1)",
            f"max |rg.tanh − (eᶻ − e⁻ᶻ)/(eᶻ + e⁻ᶻ)| = {tanh_err:.1e}; the §6 formula gives "
            f"{slide_tanh.min():.0f} for every z ≠ 0",
            tanh_err < 1e-12,
            "max |rg.tanh − (eᶻ − e⁻ᶻ)/(eᶻ + e⁻ᶻ)| < 1e-12 (float64) on z ∈ [−4, 4]")
    grads = {name: curves[name][2] for name in ("heaviside", "relu", "leaky_relu", "elu")}
    neg = z < -1
    r.claim("ReLU: zero gradient for z < 0; LReLU/ELU keep one; Heaviside has none",
            f"φ′ on z < −1: ReLU {grads['relu'][neg].max():g}, LReLU "
            f"{grads['leaky_relu'][neg].min():g}, ELU ≥ {grads['elu'][neg].min():.3f}, "
            f"Heaviside {np.abs(grads['heaviside']).max():g} everywhere",
            grads["relu"][neg].max() == 0 and grads["leaky_relu"][neg].min() > 0
            and grads["elu"][neg].min() > 0 and not grads["heaviside"].any(),
            "exact: ReLU's φ′ = 0 and LReLU's, ELU's > 0 at every z < −1; Heaviside's φ′ = 0 "
            "at every z")
    # RReLU: random slopes in training, their mean (deterministic) in evaluation.
    slopes = curves["rrelu"][2][z < 0]
    layer = nn.RReLU()
    layer.eval()
    eval_slope = float(layer(rg.tensor([-1.0])).item()) * -1
    r.numbers["rrelu_slopes"] = [float(slopes.min()), float(slopes.max()), eval_slope]
    r.claim("RReLU: negative slope λ drawn from a uniform law (training)",
            f"training slopes in [{slopes.min():.3f}, {slopes.max():.3f}] ⊂ [1/8, 1/3]; "
            f"evaluation uses their mean {eval_slope:.4f}",
            slopes.min() >= 1 / 8 - 1e-6 and slopes.max() <= 1 / 3 + 1e-6
            and abs(eval_slope - (1 / 8 + 1 / 3) / 2) < 1e-6,
            "every slope within [1/8, 1/3] (± 1e-6, float32); the evaluation slope within "
            "1e-6 of the law's mean (1/8 + 1/3)/2")
    # PReLU: λ is a parameter, so backward gives ∂ℓ/∂λ = Σ_{z<0} z·∂ℓ/∂y.
    prelu = nn.PReLU()
    x = rg.tensor(z.astype(np.float32))
    prelu(x).sum().backward()
    expected = float(z[z < 0].sum())
    got = float(prelu.weight.grad.item())
    r.numbers["prelu_grad"] = [got, expected]
    r.claim("PReLU: the slope λ_k is learned during training",
            f"∂(Σφ)/∂λ = {got:.2f} = Σ_{{z<0}} z = {expected:.2f}",
            abs(got - expected) < 1e-3 * abs(expected),
            "relative error < 1e-3 (float32 sum)")
    if out is not None:
        from retrograd.viz import new_figure, plot_activation
        fig, axes = new_figure(2, 4, width=3.2, height=2.8)
        for name, ax in zip(COURSE_ACTIVATIONS, axes.flat):
            plot_activation(name, z=np.linspace(-4, 4, 401), ax=ax,
                            **({"seed": seed} if name == "rrelu" else {}))
        r.save(fig, out, "activations.png")
    return r
