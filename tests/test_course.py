"""The course reproduced: each experiment's claims checked numerically at a
reduced size (``quick=True``), the verdicts and the tolerances they follow from,
the CLI with and without MNIST, the report and the committed gallery.

Each experiment runs once for the module (the ``ran`` fixture), shared by the
tests that look at its result."""
import json
import math
import os
import re
from pathlib import Path

import numpy as np
import pytest

from retrograd import course
from retrograd.course import cli, report
from retrograd.course.experiment import FAILS, HOLDS, PARTIAL, VERDICTS, Claim, Result

pytest.importorskip("matplotlib")
ROOT = Path(__file__).resolve().parents[1]
GALLERY = ROOT / "docs" / "course"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """``ran(name, **kw)``: experiment ``name``'s quick ``Result``, its figures in a
    temporary directory; run once for the module."""
    out, done = tmp_path_factory.mktemp("course"), {}

    def get(name, **kw):
        if name not in done:
            done[name] = course.run(name, out=str(out / name), quick=True, **kw)
        return done[name]
    return get


def quick(name, ran, **kw):
    r = ran(name, **kw)
    assert r.claims and r.ok, r.text()
    for c in r.claims:
        assert c.verdict in VERDICTS and c.tolerance, c
    for f in r.figures:
        assert Path(f).read_bytes()[:8] == PNG
    assert r.figures, f"{name} wrote no figure"
    return r


def test_neuron(ran):
    n = quick("neuron", ran).numbers
    assert set(n["boundary_agreement"].values()) == {1.0}
    gap = n["max_gap_to_heaviside"]
    assert gap[10.0] < 0.01 < gap[1.0] < gap[0.1]
    assert n["tangent_error"] < 3e-3                   # σ(z) ≈ ½ + z/4 near 0


def test_activations(ran):
    n = quick("activations", ran).numbers
    assert max(n["derivative_errors"].values()) < 1e-12
    s, ds = n["sigmoid_at_1"]
    assert round(s, 2) == 0.73 and round(ds, 1) == 0.2
    lo, hi, mean = n["rrelu_slopes"]
    assert 1 / 8 <= lo and hi <= 1 / 3 and mean == pytest.approx((1 / 8 + 1 / 3) / 2)


def test_softmax_toy(ran):
    n = quick("softmax-toy", ran).numbers
    assert n["argmax_agreement"] == 1.0 and n["max_sum_error"] < 1e-6
    assert min(n["region_fractions"]) > 0.1


def test_xor(ran):
    n = quick("xor", ran).numbers
    assert n["logreg_accuracy"] <= 0.75 and n["best_linear_accuracy"] == 0.75
    assert n["mlp_accuracy"] == 1.0
    assert n["hand_set_output"] == [0, 1, 1, 0]
    assert n["hand_set_hidden"] == [[0, 0], [0, 1], [1, 0], [0, 0]]


def test_universal_approximation(ran):
    n = quick("universal-approximation", ran).numbers
    errors = list(n["staircase_max_error"].values())
    assert all(b < a for a, b in zip(errors, errors[1:]))
    assert errors[-1] < errors[0] / 30                  # 255 units vs 3: ≈ ×45 smaller
    assert n["mlp_max_error"] < 0.1


def test_gradient_descent(ran):
    n = quick("gradient-descent", ran).numbers
    x = n["final_abs_x"]
    assert x["too small"] == pytest.approx(2 * 0.96 ** 20)
    assert x["good"] < 1e-6 and x["too large"] == pytest.approx(2 * 1.1 ** 20)
    (xl, fl), (xg, fg) = n["local_min"], n["global_min"]
    assert xl == pytest.approx(1.131, abs=1e-3) and xg == pytest.approx(-1.301, abs=1e-3)
    assert fg < fl


def test_sgd_modes(ran):
    n = quick("sgd-modes", ran).numbers
    full, online, mini = n["final_loss"].values()
    assert online < full and mini < full


def test_lr_decay_equals_closed_forms(ran):
    r = quick("lr-decay", ran)
    assert r.numbers["step_values"] == [0.1, 0.1, 0.05, 0.05, 0.025]
    from retrograd.course.lr_decay import POLICIES, driven
    t = np.arange(30)
    closed = {"inverse time": 0.1 / (1 + 0.1 * t), "exponential": 0.1 * np.exp(-0.1 * t),
              "step": 0.1 * 0.5 ** np.floor(t / 10)}
    for name, (fn, args, _, _) in POLICIES.items():
        np.testing.assert_allclose(fn(t, **args), closed[name], rtol=1e-12)
        np.testing.assert_allclose(driven(fn, args, 30), closed[name], rtol=1e-6)


def test_backprop_graph(ran):
    n = quick("backprop-graph", ran).numbers
    assert (n["q"], n["f"]) == (3, -12)
    assert n["grads"] == {"x": -4, "y": -4, "z": 3, "q": -4}
    assert n["forward_mode"] == [-4, -4, 3]


def test_softmax_stability(ran):
    n = quick("softmax-stability", ran).numbers
    for naive, stable in n["softmax_at_pm1000"].values():
        assert all(math.isnan(v) for v in naive)
        assert stable == pytest.approx([1 / 3] * 3)
    naive, stable = n["log_softmax"]
    assert naive[1] == -math.inf and stable == [0.0, -1000.0]
    ce = n["cross_entropy"]
    assert not math.isfinite(ce["naive"]) and ce["stable"] == 2000.0


def test_finite_differences(ran):
    n = quick("finite-differences", ran).numbers
    (h_fw, e_fw), (h_c, e_c) = n["best"]["forward, float64"], n["best"]["central, float64"]
    assert 1e-10 < h_fw < 1e-6 and e_fw < 1e-7        # the bottom of the V, near √ε
    assert e_c < e_fw / 10 and h_c > h_fw             # central: better, at a larger h
    slopes = n["truncation_slopes"]
    assert slopes["forward, float64"] == pytest.approx(1, abs=0.1)
    assert slopes["central, float64"] == pytest.approx(2, abs=0.2)


def test_init(ran):
    r = quick("init", ran)
    stds = r.numbers["std_per_layer"]
    glorot, gain = stds["tanh, Glorot 1/√m"], stds["tanh, Glorot × 5/3 (tanh gain)"]
    assert stds["tanh, σ = 0.01"][-1] < 1e-3
    assert 0.5 <= gain[-1] / gain[0] <= 2
    assert 0.25 < glorot[-1] / glorot[0] < 1          # slow drift, no collapse
    he = stds["ReLU, He √(2/m)"]
    assert 0.5 <= he[-1] / he[0] <= 2
    assert stds["ReLU, slide's 1/√(2m)"][-1] < 1e-2 * stds["ReLU, slide's 1/√(2m)"][0]
    # Glorot's stability is judged on the slide's plain 1/√m, which drifts: partial.
    stable = next(c for c in r.claims if c.course.startswith("Glorot (the slide's"))
    assert glorot[-1] / glorot[0] < 0.5 and stable.verdict == PARTIAL
    assert [c.verdict for c in r.claims].count(PARTIAL) == 1


def test_relu_vs_tanh(ran, mnist_dir):
    # A quick run tests the code (a narrow CNN, 40 iterations): ReLU's lead shows only
    # at full size (docs/course), so its verdict is checked against its own numbers.
    r = ran("relu-vs-tanh", data_dir=str(mnist_dir))
    n = r.numbers
    assert r.ran and r.figures and set(n["reach"]) == {"0.4", "0.25"}
    assert n["learning_rate"] == {"relu": 0.1, "tanh": 0.1}
    hardest = n["reach"]["0.25"]
    speedup = (hardest["tanh"] or n["iterations"]) / hardest["relu"] if hardest["relu"] else 0
    assert r.claims[0].verdict == (HOLDS if speedup >= 4.5 else PARTIAL if speedup >= 1.25
                                   else FAILS)


def test_lenet5(ran, mnist_dir):
    r = quick("lenet5", ran, data_dir=str(mnist_dir))
    n = r.numbers
    assert n["parameters"] == 61_706 and r.claims[0].verdict == HOLDS
    assert n["train_loss"][-1] < n["train_loss"][0]
    acc = n["test_accuracy"]
    assert r.claims[1].verdict == (HOLDS if acc >= 0.99 else PARTIAL if acc >= 0.90 else FAILS)


def test_relu_speedup_verdict_follows_its_tolerance():
    """The slide's ×6 holds only within its tolerance (≥ ×4.5); a faster ReLU short
    of it — the MLP's measured ×1.9 — is partial; no speedup fails."""
    from retrograd.course.relu_vs_tanh import speedup_claim

    def judged(relu, tanh, iterations=2000):
        r = Result("relu-vs-tanh", "t", "s")
        verdict = speedup_claim(r, {0.10: {"relu": 100, "tanh": 100},
                                    0.04: {"relu": relu, "tanh": tanh}}, iterations)
        assert r.claims[0].verdict == verdict and "4%" in r.claims[0].tolerance
        return verdict

    assert judged(1000, 1900) == PARTIAL                      # ×1.9
    assert judged(300, 1800) == HOLDS                         # ×6
    assert judged(400, 1800) == HOLDS                         # ×4.5: the edge
    assert judged(400, 1799) == PARTIAL
    assert judged(300, None) == HOLDS                         # tanh never: > ×6.7
    assert judged(1000, 1200) == FAILS                        # ×1.2: not clearly faster
    assert judged(None, None) == FAILS                        # ReLU never reaches it


def test_overfitting(ran, mnist_dir):
    n = quick("overfitting", ran, data_dir=str(mnist_dir)).numbers
    gaps = dict(n["gaps"])
    base = gaps.pop("no regularisation")
    assert all(g[0] < base[0] for g in gaps.values())
    assert n["final"]["no regularisation"]["accuracy"] >= 0.99


def test_dropout(ran, mnist_dir):
    n = quick("dropout", ran, data_dir=str(mnist_dir)).numbers
    acc, _ = n["eval_mode"]
    mc = n["mc"]
    assert abs(mc["20"][0] - acc) < 0.01 and mc["20"][0] > mc["1"][0]
    assert n["geometric_mean_gap"] < 1e-5
    assert n["scale_p"][0] > n["scale_keep"][0]


def test_mnist_logreg(ran, mnist_dir):
    r = quick("mnist-logreg", ran, data_dir=str(mnist_dir))
    n = r.numbers
    assert n["params"] == 7850 and n["test_accuracy"] > 0.85
    assert set(n["errors"]) == {"fit before compile", "fit with integer labels"}
    # Trained on 10,000 images for 3 epochs, it cannot confirm the slide's 92.20%.
    assert [c.verdict for c in r.claims] == [HOLDS, PARTIAL, HOLDS]


def test_mnist_logreg_score_verdict_follows_its_tolerance():
    from retrograd.course.mnist_logreg import score_claim

    def judged(loss, acc, epochs=20, n_train=None):
        r = Result("mnist-logreg", "t", "s")
        verdict = score_claim(r, [0.9] * epochs, [loss, acc], epochs, n_train)
        assert r.claims[0].verdict == verdict and "±0.5 point" in r.claims[0].tolerance
        return verdict

    assert judged(0.2732, 0.9225) == HOLDS                    # the committed run
    assert judged(0.2732, 0.9160) == PARTIAL                  # 0.6 point below 92.20%
    assert judged(0.2900, 0.9225) == PARTIAL                  # loss 0.018 above 0.272
    assert judged(0.2732, 0.9225, epochs=3, n_train=10000) == PARTIAL   # not the slide's run
    assert judged(2.3, 0.11) == FAILS


def test_verdicts():
    with pytest.raises(ValueError, match="tolerance"):
        Claim("a", "b", HOLDS, "")
    with pytest.raises(ValueError, match="verdict"):
        Claim("a", "b", "maybe", "exact")
    r = Result("x", "t", "s")
    assert r.claim("a", "b", True, "exact") == HOLDS
    assert r.claim("a", "b", False, "exact; partial: …", partial=True) == PARTIAL
    assert r.ok                                  # partial claims are not failures
    assert r.claim("a", "b", False, "exact", partial=False) == FAILS
    assert not r.ok
    assert course.summary([r]) == "3 claims: 1 hold ✓, 1 partial ◐, 1 fail ✗ (in x)"
    assert course.exit_status([r]) == 1


def test_registry_and_every_experiment_takes_quick():
    import inspect
    assert len(course.names()) == 17 and course.names()[0] == "neuron"
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
    assert "6 claims: 6 hold ✓, 0 partial ◐, 0 fail ✗" in printed and "[ok]" in printed
    assert printed.count("tolerance: ") == 6
    assert (tmp_path / "xor.png").exists() and (tmp_path / "lr_decay.png").exists()
    assert cli.main(["nope"]) == 2
    assert "no experiment named 'nope'" in capsys.readouterr().err
    from retrograd.cli import main as retrograd_main
    assert retrograd_main(["course", "list"]) == 0
    assert "exit status:" in cli.build_parser().format_help()


@pytest.fixture
def no_mnist(monkeypatch, tmp_path):
    """No MNIST anywhere retrograd.datasets looks ($RETROGRAD_DATA, the cache, the
    checkout's ../shared/data, the system's packages) and no network: each download
    attempt is recorded and fails at once. Returns the list of URLs tried."""
    import urllib.error
    import urllib.request

    from retrograd.datasets import files
    monkeypatch.delenv("RETROGRAD_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(files, "checkout_dir", lambda name: None)
    monkeypatch.setattr(files, "system_dirs", lambda catalog: ())
    tried = []

    def offline(url, *args, **kwargs):
        tried.append(url)
        raise urllib.error.URLError("no network in the tests")
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    return tried


def test_without_mnist_its_experiments_are_skipped(tmp_path, monkeypatch, capsys, no_mnist):
    # `all` over a subset: the 12 other experiments run in their own tests.
    subset = ["backprop-graph", "lr-decay", "relu-vs-tanh", "overfitting", "dropout",
              "mnist-logreg"]
    monkeypatch.setattr(course, "EXPERIMENTS", {n: course.EXPERIMENTS[n] for n in subset})
    out = tmp_path / "out"
    assert cli.main(["all", "--quick", "--out", str(out)]) == 3
    printed = capsys.readouterr().out
    mnist = subset[2:]
    assert printed.count("[SKIPPED] MNIST not found; to run it, put MNIST's four IDX files in "
                         "$RETROGRAD_DATA/mnist") == len(mnist)
    for name in mnist:
        block = printed[printed.index(f"== {name}:"):].split("\n\n")[0]
        assert block.count("\n") == 1, block        # the header and one line
    assert no_mnist and len(no_mnist) == len(set(no_mnist)), no_mnist   # looked for once
    assert printed.count("\nMNIST: mnist not found") == 1      # the loader's reason, once
    assert printed.rstrip().endswith(
        "6 claims: 6 hold ✓, 0 partial ◐, 0 fail ✗; 4 experiments skipped (MNIST not found): "
        "relu-vs-tanh, overfitting, dropout, mnist-logreg")
    assert "[ERROR]" not in printed and "not ok" not in printed
    text = (out / "index.md").read_text()
    assert text.count("| skipped (MNIST not found) |") == 4 and text.count("**Skipped:**") == 4
    assert "Could not run" not in text
    assert "**6 claims: 6 hold ✓, 0 partial ◐, 0 fail ✗; 4 experiments skipped" in text
    data = json.loads((out / "results.json").read_text())
    assert [d["name"] for d in data if d["skipped"]] == mnist
    # --data DIR: only there, no download.
    tried = len(no_mnist)
    assert cli.main(["mnist-logreg", "--quick", "--data", str(tmp_path / "none")]) == 3
    assert "0 claims: 0 hold ✓, 0 partial ◐, 0 fail ✗; 1 experiment skipped" in \
        capsys.readouterr().out
    assert len(no_mnist) == tried


def test_failed_experiment_is_reported_not_raised(tmp_path, monkeypatch):
    r = course.run_safely("mnist-logreg", quick=True, data_dir=str(tmp_path / "empty"))
    assert r.skipped and not r.error and not r.ok and r.errata
    module = course.get("lr-decay")

    def broken(**kwargs):
        raise RuntimeError("broken on purpose")
    monkeypatch.setattr(module, "run", broken)
    r = course.run_safely("lr-decay", quick=True)
    assert r.error == "RuntimeError: broken on purpose" and not r.ok and not r.skipped
    assert course.exit_status([r]) == 1


def test_report(tmp_path, ran, monkeypatch):
    from retrograd.course.relu_vs_tanh import speedup_claim
    results = [ran("backprop-graph"), ran("lr-decay"),
               course.run_safely("mnist-logreg", quick=True, data_dir=str(tmp_path / "empty"))]
    partial = Result("relu-vs-tanh", "t", "s")
    speedup_claim(partial, {0.04: {"relu": 1000, "tanh": 1900}}, 2000)
    monkeypatch.setattr(course.get("xor"), "run", lambda **kw: 1 / 0)
    results += [partial, course.run_safely("xor", quick=True)]
    text = Path(report.write_report(results, str(tmp_path))).read_text()
    assert "| [backprop-graph](#1-backprop-graph) |" in text
    assert "![backprop-graph: backprop_graph.png](backprop_graph.png)" in text
    assert "| forward pass: q = x + y = 3, f = q·z = −12 | q = 3, f = -12 | exact | ✓ |" in text
    # The erratum sits right above the figure it concerns.
    lr = text.index("## 2. lr-decay")
    box, fig = text.index("> **Where the slide is wrong.**", lr), text.index("lr_decay.png", lr)
    assert box < fig
    assert "**Skipped:** MNIST not found" in text and "| skipped (MNIST not found) |" in text
    assert "**Could not run:** `ZeroDivisionError" in text and "| error |" in text
    assert "(×1.9) | judged at the hardest target (4%)" in text and "| 0 ✓ |" not in text
    assert "| 1 ◐ |" in text and "| 3 ✓ |" in text
    _summary_agrees_with_the_table(text)
    data = json.loads((tmp_path / "results.json").read_text())
    assert data[0]["numbers"]["grads"]["z"] == 3 and data[2]["ok"] is False
    assert data[0]["claims"][0]["tolerance"] == "exact"
    assert data[0]["claims"][0]["verdict"] == "holds" and data[0]["claims"][0]["holds"] is True
    assert data[2]["skipped"] and data[3]["claims"][0]["verdict"] == "partial"
    assert data[3]["ok"] is True and data[4]["error"].startswith("ZeroDivisionError")


def _summary_agrees_with_the_table(text):
    """The bold summary line counts what the claims' tables show."""
    rows = [line for line in text.splitlines() if re.match(r"\|.*\| [✓◐✗] \|$", line)]
    shown = {v: sum(row.endswith(f"| {s} |") for row in rows)
             for v, s in (("hold", "✓"), ("partial", "◐"), ("fail", "✗"))}
    said = re.search(r"\*\*(\d+) claims: (\d+) hold ✓, (\d+) partial ◐, (\d+) fail ✗", text)
    assert said, "no summary line"
    assert [int(x) for x in said.groups()] == [len(rows), shown["hold"], shown["partial"],
                                               shown["fail"]]


def test_numbers_do_not_depend_on_the_blas_threads():
    """init's float32 products round differently with one and two OpenBLAS threads;
    the experiments run on one thread, so the number of threads around them does
    not matter."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    blas = [p for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
    if not blas or blas[0]["num_threads"] < 2:
        pytest.skip("the BLAS has a single thread here: nothing to compare")
    numbers = []
    for threads in (1, 2):
        with threadpoolctl.threadpool_limits(threads, user_api="blas"):
            numbers.append(course.run("init", quick=True).numbers)
    assert numbers[0] == numbers[1]


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
    # Every experiment ran; no claim fails; each states its tolerance; partial
    # verdicts are shown as such, and the summary line counts what the tables show.
    # One claim fails, honestly: relu-vs-tanh's ×6 (a CIFAR-10 CNN's) is not reproduced
    # by the same CNN on MNIST, and its note says why.
    assert text.count("| ✗ |") == 1 and "Could not run" not in text and "Skipped" not in text
    assert "| the course says | retrograd measures | tolerance | |" in text
    _summary_agrees_with_the_table(text)
    data = json.loads((GALLERY / "results.json").read_text())
    claims = [c for d in data for c in d["claims"]]
    assert all(c["tolerance"] and c["verdict"] in VERDICTS for c in claims)
    relu = next(d for d in data if d["name"] == "relu-vs-tanh")
    reach = relu["numbers"]["reach"][min(relu["numbers"]["reach"], key=float)]
    speedup = (reach["tanh"] or relu["numbers"]["iterations"]) / reach["relu"] \
        if reach["relu"] else 0
    assert speedup < 1.25 and relu["claims"][0]["verdict"] == FAILS
    assert "not reproduced on this data" in text          # its note says why
    failed = [d["name"] for d in data for c in d["claims"] if c["verdict"] == FAILS]
    assert failed == ["relu-vs-tanh"]
