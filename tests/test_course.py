"""The course reproduced: each experiment's claim checked numerically at a
reduced size (``quick=True``), the CLI, the report and the committed gallery."""
import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

from retrograd import course
from retrograd.course import cli, report

pytest.importorskip("matplotlib")
ROOT = Path(__file__).resolve().parents[1]
GALLERY = ROOT / "docs" / "course"
PNG = b"\x89PNG\r\n\x1a\n"


def quick(name, tmp_path, **kw):
    r = course.run(name, out=str(tmp_path), quick=True, **kw)
    assert r.claims and r.ok, r.text()
    for f in r.figures:
        assert Path(f).read_bytes()[:8] == PNG
    assert r.figures, f"{name} wrote no figure"
    return r


def test_neuron(tmp_path):
    n = quick("neuron", tmp_path).numbers
    assert set(n["boundary_agreement"].values()) == {1.0}
    gap = n["max_gap_to_heaviside"]
    assert gap[10.0] < 0.01 < gap[1.0] < gap[0.1]
    assert n["tangent_error"] < 3e-3                   # σ(z) ≈ ½ + z/4 near 0


def test_activations(tmp_path):
    n = quick("activations", tmp_path).numbers
    assert max(n["derivative_errors"].values()) < 1e-12
    s, ds = n["sigmoid_at_1"]
    assert round(s, 2) == 0.73 and round(ds, 1) == 0.2
    lo, hi, mean = n["rrelu_slopes"]
    assert 1 / 8 <= lo and hi <= 1 / 3 and mean == pytest.approx((1 / 8 + 1 / 3) / 2)


def test_softmax_toy(tmp_path):
    n = quick("softmax-toy", tmp_path).numbers
    assert n["argmax_agreement"] == 1.0 and n["max_sum_error"] < 1e-6
    assert min(n["region_fractions"]) > 0.1


def test_xor(tmp_path):
    n = quick("xor", tmp_path).numbers
    assert n["logreg_accuracy"] <= 0.75 and n["best_linear_accuracy"] == 0.75
    assert n["mlp_accuracy"] == 1.0
    assert n["hand_set_output"] == [0, 1, 1, 0]
    assert n["hand_set_hidden"] == [[0, 0], [0, 1], [1, 0], [0, 0]]


def test_universal_approximation(tmp_path):
    n = quick("universal-approximation", tmp_path).numbers
    errors = list(n["staircase_max_error"].values())
    assert all(b < a for a, b in zip(errors, errors[1:]))
    assert errors[-1] < errors[0] / 30                  # 255 units vs 3: ≈ ×45 smaller
    assert n["mlp_max_error"] < 0.1


def test_gradient_descent(tmp_path):
    n = quick("gradient-descent", tmp_path).numbers
    x = n["final_abs_x"]
    assert x["too small"] == pytest.approx(2 * 0.96 ** 20)
    assert x["good"] < 1e-6 and x["too large"] == pytest.approx(2 * 1.1 ** 20)
    (xl, fl), (xg, fg) = n["local_min"], n["global_min"]
    assert xl == pytest.approx(1.131, abs=1e-3) and xg == pytest.approx(-1.301, abs=1e-3)
    assert fg < fl


def test_sgd_modes(tmp_path):
    n = quick("sgd-modes", tmp_path).numbers
    full, online, mini = n["final_loss"].values()
    assert online < full and mini < full


def test_lr_decay_equals_closed_forms(tmp_path):
    r = quick("lr-decay", tmp_path)
    assert r.numbers["step_values"] == [0.1, 0.1, 0.05, 0.05, 0.025]
    from retrograd.course.lr_decay import POLICIES, driven
    t = np.arange(30)
    closed = {"inverse time": 0.1 / (1 + 0.1 * t), "exponential": 0.1 * np.exp(-0.1 * t),
              "step": 0.1 * 0.5 ** np.floor(t / 10)}
    for name, (fn, args, _, _) in POLICIES.items():
        np.testing.assert_allclose(fn(t, **args), closed[name], rtol=1e-12)
        np.testing.assert_allclose(driven(fn, args, 30), closed[name], rtol=1e-6)


def test_backprop_graph(tmp_path):
    n = quick("backprop-graph", tmp_path).numbers
    assert (n["q"], n["f"]) == (3, -12)
    assert n["grads"] == {"x": -4, "y": -4, "z": 3, "q": -4}
    assert n["forward_mode"] == [-4, -4, 3]


def test_softmax_stability(tmp_path):
    n = quick("softmax-stability", tmp_path).numbers
    for naive, stable in n["softmax_at_pm1000"].values():
        assert all(math.isnan(v) for v in naive)
        assert stable == pytest.approx([1 / 3] * 3)
    naive, stable = n["log_softmax"]
    assert naive[1] == -math.inf and stable == [0.0, -1000.0]
    ce = n["cross_entropy"]
    assert not math.isfinite(ce["naive"]) and ce["stable"] == 2000.0


def test_finite_differences(tmp_path):
    n = quick("finite-differences", tmp_path).numbers
    (h_fw, e_fw), (h_c, e_c) = n["best"]["forward, float64"], n["best"]["central, float64"]
    assert 1e-10 < h_fw < 1e-6 and e_fw < 1e-7        # the bottom of the V, near √ε
    assert e_c < e_fw / 10 and h_c > h_fw             # central: better, at a larger h
    slopes = n["truncation_slopes"]
    assert slopes["forward, float64"] == pytest.approx(1, abs=0.1)
    assert slopes["central, float64"] == pytest.approx(2, abs=0.2)


def test_init(tmp_path):
    stds = quick("init", tmp_path).numbers["std_per_layer"]
    glorot, gain = stds["tanh, Glorot 1/√m"], stds["tanh, Glorot × 5/3 (tanh gain)"]
    assert stds["tanh, σ = 0.01"][-1] < 1e-3
    assert 0.5 <= gain[-1] / gain[0] <= 2
    assert 0.25 < glorot[-1] / glorot[0] < 1          # slow drift, no collapse
    he = stds["ReLU, He √(2/m)"]
    assert 0.5 <= he[-1] / he[0] <= 2
    assert stds["ReLU, slide's 1/√(2m)"][-1] < 1e-2 * stds["ReLU, slide's 1/√(2m)"][0]


def test_relu_vs_tanh(tmp_path, mnist_dir):
    n = quick("relu-vs-tanh", tmp_path, data_dir=str(mnist_dir)).numbers
    relu, tanh = n["reach"]["0.07"]["relu"], n["reach"]["0.07"]["tanh"]
    assert relu is not None and (tanh is None or tanh > relu)


def test_overfitting(tmp_path, mnist_dir):
    n = quick("overfitting", tmp_path, data_dir=str(mnist_dir)).numbers
    gaps = n["gaps"]
    base = gaps.pop("no regularisation")
    assert all(g[0] < base[0] for g in gaps.values())
    assert n["final"]["no regularisation"]["accuracy"] >= 0.99


def test_dropout(tmp_path, mnist_dir):
    n = quick("dropout", tmp_path, data_dir=str(mnist_dir)).numbers
    acc, _ = n["eval_mode"]
    mc = n["mc"]
    assert abs(mc["20"][0] - acc) < 0.01 and mc["20"][0] > mc["1"][0]
    assert n["geometric_mean_gap"] < 1e-5
    assert n["scale_p"][0] > n["scale_keep"][0]


def test_mnist_logreg(tmp_path, mnist_dir):
    n = quick("mnist-logreg", tmp_path, data_dir=str(mnist_dir)).numbers
    assert n["params"] == 7850 and n["test_accuracy"] > 0.85
    assert set(n["errors"]) == {"fit before compile", "fit with integer labels"}


def test_registry_and_every_experiment_takes_quick():
    import inspect
    assert len(course.names()) == 16 and course.names()[0] == "neuron"
    for name in course.names():
        m = course.get(name)
        assert m.NAME == name and m.TITLE and m.SLIDES
        assert "quick" in inspect.signature(m.run).parameters
    with pytest.raises(ValueError, match="no experiment named 'nope'"):
        course.get("nope")


ISSUE_ERRATA = ["∇f(x⁽ᵗ⁾)", "eᶻ + e⁻ᶻ", "½ + az/4", "⌊t/t_u⌋", "(f(x + h) − f(x))/h",
                "√(2/m) = 1/√250", "keep probability", "h = φ(Wx + b)", "compile",
                "integer labels"]


def test_every_slide_error_of_the_issue_is_reported():
    text = " ".join(e for name in course.names() for e in getattr(course.get(name), "ERRATA", []))
    for fix in ISSUE_ERRATA:
        assert fix in text, fix


def test_cli(tmp_path, capsys):
    assert cli.main(["list"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in course.names())
    assert cli.main(["xor", "lr-decay", "--out", str(tmp_path), "--quick"]) == 0
    printed = capsys.readouterr().out
    assert "6/6 claims hold" in printed and "[ok]" in printed
    assert (tmp_path / "xor.png").exists() and (tmp_path / "lr_decay.png").exists()
    assert cli.main(["nope"]) == 2
    assert "no experiment named 'nope'" in capsys.readouterr().err
    from retrograd.cli import main as retrograd_main
    assert retrograd_main(["course", "list"]) == 0


def test_failed_experiment_is_reported_not_raised(tmp_path):
    r = course.run_safely("mnist-logreg", quick=True, data_dir=str(tmp_path / "empty"))
    assert r.error and not r.ok and r.errata


def test_report(tmp_path):
    results = [course.run(n, out=str(tmp_path), quick=True) for n in ("backprop-graph",
                                                                     "lr-decay")]
    results.append(course.run_safely("mnist-logreg", quick=True,
                                     data_dir=str(tmp_path / "empty")))
    text = Path(report.write_report(results, str(tmp_path))).read_text()
    assert "| [backprop-graph](#1-backprop-graph) |" in text
    assert "![backprop-graph: backprop_graph.png](backprop_graph.png)" in text
    assert "| forward pass: q = x + y = 3, f = q·z = −12 | q = 3, f = -12 | ✓ |" in text
    # The erratum sits right above the figure it concerns.
    lr = text.index("## 2. lr-decay")
    box, fig = text.index("> **Where the slide is wrong.**", lr), text.index("lr_decay.png", lr)
    assert box < fig
    assert "**Could not run:**" in text
    data = json.loads((tmp_path / "results.json").read_text())
    assert data[0]["numbers"]["grads"]["z"] == 3 and data[2]["ok"] is False


def test_gallery_is_complete_and_small():
    index = GALLERY / "index.md"
    assert index.exists(), "docs/course/index.md is missing: retrograd course all --out docs/course"
    text = index.read_text()
    for i, name in enumerate(course.names(), 1):
        assert f"\n## {i}. {name}\n" in text, name
    pngs = sorted(p.name for p in GALLERY.glob("*.png"))
    assert pngs
    for p in pngs:
        assert f"]({p})" in text, f"{p} is not shown in index.md"
        assert os.path.getsize(GALLERY / p) < 300_000, p
    assert "| ✗ |" not in text and "Could not run" not in text
