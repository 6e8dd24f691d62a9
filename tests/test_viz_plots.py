"""retrograd.viz plots: headless, correct data on the axes, clear errors."""
import subprocess
import sys

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn, optim, viz
from retrograd.optim import schedules

pytest.importorskip("matplotlib")

PNG = b"\x89PNG\r\n\x1a\n"


def saved(fig, tmp_path, name="fig.png"):
    path = viz.save(fig, tmp_path / name)
    data = open(path, "rb").read()
    assert data[:8] == PNG and 1000 < len(data) < 300_000
    return path


def test_plots_need_no_display_and_no_pyplot(tmp_path):
    code = ("import sys, retrograd.viz as v; f = v.plot_activation('tanh'); "
            f"v.save(f, {str(tmp_path / 'a.png')!r}); "
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'")
    env = {"PATH": "/usr/bin:/bin", "MPLBACKEND": "", "HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
    assert (tmp_path / "a.png").read_bytes()[:8] == PNG


def test_missing_matplotlib_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install 'retrograd\[plot\]'"):
        viz.plot_activation("relu")


@pytest.mark.parametrize("name", viz.COURSE_ACTIVATIONS)
def test_plot_activation_draws_phi_and_its_derivative(name, tmp_path):
    fig = viz.plot_activation(name)
    lines = fig.axes[0].get_lines()
    z, y, dy = viz.activation_curve(name)
    phi, dphi = lines[0], lines[1]
    np.testing.assert_allclose(phi.get_ydata(), y)
    np.testing.assert_allclose(dphi.get_ydata(), dy)
    if name == "sigmoid":
        np.testing.assert_allclose(dy, y * (1 - y), atol=1e-12)
    if name == "tanh":
        np.testing.assert_allclose(dy, 1 - y ** 2, atol=1e-12)
    if name == "elu":
        np.testing.assert_allclose(dy[z < 0], np.exp(z[z < 0]), atol=1e-12)
    if name == "heaviside":
        assert not dy.any()
    saved(fig, tmp_path)


def test_plot_activation_params_callables_and_errors():
    _, y, dy = viz.activation_curve("leaky_relu", [-2.0, 3.0], negative_slope=0.2)
    np.testing.assert_allclose(y, [-0.4, 3.0])
    np.testing.assert_allclose(dy, [0.2, 1.0])
    _, y, _ = viz.activation_curve("sigmoid", [0.0, 1.0], a=10)
    np.testing.assert_allclose(y, [0.5, 1 / (1 + np.exp(-10))])
    _, y, dy = viz.activation_curve(lambda t: t * t, [3.0])
    assert y[0] == 9 and dy[0] == 6
    _, _, dy = viz.activation_curve("softplus", [0.0])     # a Keras name
    assert dy[0] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="unknown activation 'nope'"):
        viz.plot_activation("nope")
    with pytest.raises(TypeError, match="unexpected"):
        viz.activation_curve("tanh", alpha=2)
    with pytest.raises(ValueError, match="elementwise"):
        viz.activation_curve(lambda t: t.sum(), [1.0, 2.0])


def linear_model():
    fc = nn.Linear(2, 2)
    fc.weight.array[:] = [[1, 1], [-1, -1]]      # class 0 where x1 + x2 > 0
    fc.bias.array[:] = 0
    return fc


def test_plot_decision_boundary_regions(tmp_path):
    X = np.array([[1, 1], [-1, -1], [2, -1], [-2, 1]], dtype=np.float32)
    y = np.array([0, 1, 0, 1])
    xx, yy, scores = viz.predict_grid(linear_model(), X, resolution=50)
    labels = viz.classes_of(scores)
    assert scores.shape == (50, 50, 2)
    off = np.abs(xx + yy) > 1e-3
    assert np.array_equal(labels[off], (xx + yy < 0)[off].astype(int))
    fig = viz.plot_decision_boundary(linear_model(), X, y, title="linear")
    assert fig.axes[0].get_title() == "linear"
    saved(fig, tmp_path)
    fig = viz.plot_decision_boundary(linear_model(), X, y, proba=True)
    saved(fig, tmp_path, "p.png")
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        viz.plot_decision_boundary(linear_model(), np.zeros((3, 3)), [0, 1, 0])


def test_classes_of_single_output():
    assert viz.classes_of(np.array([[0.2], [0.7]])).tolist() == [0, 1]     # probabilities
    assert viz.classes_of(np.array([[-3.0], [2.0]])).tolist() == [0, 1]    # scores


def test_decision_boundary_restores_training_mode():
    model = nn.Sequential(nn.Linear(2, 4), nn.Dropout(0.5), nn.Linear(4, 2))
    viz.predict_grid(model, np.zeros((2, 2)), resolution=5)
    assert model.training


class FakeHistory:
    def __init__(self, h):
        self.history = h


@pytest.mark.parametrize("wrap", [dict, FakeHistory])
def test_plot_history_panels_and_curves(wrap, tmp_path):
    h = {"loss": [1.0, 0.5, 0.25], "accuracy": [0.5, 0.7, 0.9],
         "val_loss": [1.1, 0.7, 0.6], "val_accuracy": [0.4, 0.6, 0.8]}
    fig = viz.plot_history(wrap(h))
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy"]
    train, val = fig.axes[0].get_lines()
    assert list(train.get_xdata()) == [1, 2, 3] and list(val.get_ydata()) == h["val_loss"]
    assert train.get_linestyle() == "-" and val.get_linestyle() == "--"
    saved(fig, tmp_path)


def test_plot_history_overlays_runs_and_rejects_bad_input():
    fig = viz.plot_history({"loss": [1, 0.5]}, label="a")
    viz.plot_history({"loss": [2, 1]}, axes=fig.axes, label="b")
    assert [l.get_label() for l in fig.axes[0].get_lines()] == ["a: train", "b: train"]
    with pytest.raises(TypeError, match="History or a non-empty dict"):
        viz.plot_history([1, 2])
    with pytest.raises(ValueError, match="2 metrics"):
        viz.plot_history({"loss": [1], "acc": [1]}, axes=fig.axes[:1])


def test_plot_lr_schedule_function_and_driver(tmp_path):
    t, v = viz.schedule_values(schedules.step_decay, 30, eta0=0.1, r=0.5, t_u=10)
    np.testing.assert_allclose(v, 0.1 * 0.5 ** (np.arange(30) // 10))
    w = rg.zeros(1, requires_grad=True)
    sched = optim.LRScheduler(optim.SGD([w], lr=0.1), schedules.exponential, lam=0.1)
    _, driven = viz.schedule_values(sched, 20)
    np.testing.assert_allclose(driven, 0.1 * np.exp(-0.1 * np.arange(20)), rtol=1e-12)
    fig = viz.plot_lr_schedule(schedules.inverse_time, 40, eta0=0.1, r=0.1)
    line = fig.axes[0].get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), 0.1 / (1 + 0.1 * np.arange(40)))
    assert "inverse_time(eta0=0.1, r=0.1)" == line.get_label()
    saved(fig, tmp_path)
    with pytest.raises(TypeError, match="function of the step"):
        viz.plot_lr_schedule(0.1, 10)


def test_activation_histograms_one_panel_per_layer(tmp_path):
    rg.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 30), nn.Tanh(), nn.Linear(30, 30), nn.ReLU(),
                          nn.Dropout(0.5), nn.Linear(30, 5), nn.Tanh())
    x = rg.randn(64, 20)
    stats = viz.activation_stats(model, x)
    assert [n for n, _, _ in stats] == ["1: Tanh", "2: ReLU", "3: Tanh"]
    h = model[1](model[0](x)).numpy()
    assert stats[0][1] == pytest.approx(h.mean(), abs=1e-6)
    assert stats[0][2] == pytest.approx(h.std(), rel=1e-5)
    fig = viz.activation_histograms(model, x, bins=10)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == 3
    assert f"std {stats[1][2]:.2g}" in shown[1].get_title()
    assert model.training                                    # restored
    assert len(viz.layer_activations(model, x, every=True)) == 7
    saved(fig, tmp_path)
    with pytest.raises(ValueError, match="no activation layer"):
        viz.activation_histograms(nn.Sequential(nn.Linear(2, 2)), rg.randn(3, 2))
    with pytest.raises(TypeError, match="not sequential"):
        viz.activation_histograms(nn.Linear(2, 2), rg.randn(3, 2))


def test_activation_histograms_of_keras_dense_with_activation():
    keras = pytest.importorskip("retrograd.keras")
    model = keras.Sequential([keras.layers.Dense(8, activation="tanh", input_dim=4),
                              keras.layers.Dense(3)])
    stats = viz.activation_stats(model, np.ones((5, 4), dtype=np.float32))
    assert len(stats) == 1 and -1 <= stats[0][1] <= 1


def test_plot_weights_templates(tmp_path):
    dense = nn.Dense(10)
    dense(rg.zeros((1, 784)))
    fig = viz.plot_weights(dense, titles=[f"class {k}" for k in range(10)])
    images = [ax.get_images()[0] for ax in fig.axes if ax.get_images()]
    assert len(images) == 10 and images[3].get_array().shape == (28, 28)
    np.testing.assert_allclose(images[3].get_array(), dense.kernel.numpy()[:, 3].reshape(28, 28))
    lo, hi = images[0].get_clim()
    assert lo == -hi                                   # a symmetric colour scale
    saved(fig, tmp_path)
    lin = nn.Linear(16, 3)
    fig = viz.plot_weights(lin, shape=(2, 8))
    img = [ax.get_images()[0] for ax in fig.axes if ax.get_images()][2]
    np.testing.assert_allclose(img.get_array(), lin.weight.numpy()[2].reshape(2, 8))
    with pytest.raises(ValueError, match="not a square"):
        viz.plot_weights(np.zeros((10, 3)))
    with pytest.raises(ValueError, match="holds 12 values"):
        viz.plot_weights(np.zeros((16, 3)), shape=(3, 4))
