"""Guarantees 5 and 6 — numerical faults and leaks: a NaN/Inf loss stops training
(TerminateOnNaN) or is skipped (skip_nonfinite); anomaly mode names the op; very deep
and very wide networks keep finite gradients; 200 training steps of the course's MLP
keep the resident memory flat (each step's graph is freed by reference counting)."""
import gc
import os
import weakref

import numpy as np
import pytest

import retrograd as rg
from retrograd import keras, nn, optim
from retrograd.keras import layers
from retrograd.nn import functional as F


# -- NaN / Inf in the loss -------------------------------------------------------------------
def test_terminate_on_nan_stops_at_the_first_bad_batch(capsys):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8)).astype(np.float32) * 100
    y = rng.normal(size=(256, 1)).astype(np.float32) * 100
    model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(16), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e3), loss="mse")
    seen = []
    log = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(
        logs["loss"]))
    history = model.fit(x, y, batch_size=16, epochs=5, verbose=0,
                        callbacks=[keras.callbacks.TerminateOnNaN(), log])
    assert not np.isfinite(seen[-1]) and all(np.isfinite(seen[:-1]))    # stopped at once
    assert len(seen) < 5 * 16 and len(history.epoch) == 1
    assert "Invalid loss, terminating training" in capsys.readouterr().out


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.RMSprop, optim.Adagrad])
def test_skip_nonfinite_leaves_parameters_and_slots_unchanged(cls):
    w = rg.tensor(np.ones((3, 2), np.float32), requires_grad=True)
    opt = cls([w], lr=0.1, skip_nonfinite=True)
    (w * w).sum().backward()
    opt.step()                                  # a good step creates the slots
    before = (w.array.copy(), {k: np.copy(v) for k, v in opt.state_dict()["state"][0].items()})
    for bad in (np.nan, np.inf, -np.inf):
        w.grad = rg.tensor(np.full((3, 2), bad, np.float32))
        with pytest.warns(RuntimeWarning, match="skipped"):
            opt.step()
        assert opt.last_step_skipped
    assert opt.skipped_steps == 3
    np.testing.assert_array_equal(w.array, before[0])
    for k, v in opt.state_dict()["state"][0].items():
        np.testing.assert_array_equal(np.asarray(v), before[1][k])
    opt.zero_grad()
    (w * w).sum().backward()
    opt.step()
    assert not opt.last_step_skipped and not np.array_equal(w.array, before[0])


def test_without_skip_a_nonfinite_gradient_poisons_the_weights():
    """The contrast that makes skip_nonfinite worth having."""
    w = rg.tensor(np.ones(3, np.float32), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    w.grad = rg.tensor(np.array([np.nan, 0, 0], np.float32))
    opt.step()
    assert np.isnan(w.array[0])


def test_anomaly_mode_names_the_op_forward_and_backward():
    x = rg.tensor([-1.0, 1.0], requires_grad=True)
    with rg.detect_anomaly():
        with pytest.raises(rg.AnomalyError, match=r"Log produced NaN/Inf in its forward pass"
                                                  r".*test_reliability_numerics.py"):
            rg.log(x)
    z = rg.tensor([0.0, 4.0], requires_grad=True)
    with rg.detect_anomaly():
        y = rg.sqrt(z).sum()                       # finite forward, 1/(2√0) = inf backward
        with pytest.raises(rg.AnomalyError, match="Sqrt produced NaN/Inf in its backward"):
            y.backward()
    # Outside the mode the same computation runs silently (NaN is a value, not an error).
    rg.log(x)


# -- deep and wide networks -----------------------------------------------------------------
def _grad_norms(model, x, y):
    loss = F.cross_entropy(model(x), y)
    model.zero_grad()
    loss.backward()
    return float(loss.array), [float(np.linalg.norm(p.grad.array)) for p in model.parameters()]


def test_gradients_of_a_50_layer_tanh_network_with_glorot_stay_finite():
    rg.manual_seed(0)
    body = []
    for _ in range(50):
        body += [nn.Dense(64, kernel_initializer="glorot_uniform"), nn.Tanh()]
    model = nn.Sequential(*body, nn.Dense(10))
    x = rg.tensor(np.random.default_rng(0).normal(size=(32, 64)).astype(np.float32))
    y = rg.tensor(np.arange(32) % 10)
    loss, norms = _grad_norms(model, x, y)
    assert np.isfinite(loss) and all(np.isfinite(norms))
    assert min(norms[::2]) > 0          # even the first kernel still gets a signal
    assert max(norms) < 1e3             # and nothing explodes


def test_gradients_of_a_very_wide_network_stay_finite():
    rg.manual_seed(0)
    model = nn.Sequential(nn.Dense(8192, activation="relu"), nn.Dense(10))
    x = rg.tensor(np.random.default_rng(1).normal(size=(16, 256)).astype(np.float32))
    loss, norms = _grad_norms(model, x, rg.tensor(np.arange(16) % 10))
    assert np.isfinite(loss) and all(np.isfinite(norms)) and min(norms) > 0


def test_extreme_logits_give_finite_loss_and_gradient():
    s = rg.tensor(np.array([[1e30, -1e30, 0.0], [-3e38, 3e38, 1.0]], np.float32),
                  requires_grad=True)
    loss = F.cross_entropy(s, rg.tensor([1, 1]))
    loss.backward()
    assert np.isfinite(float(loss.array)) and np.isfinite(s.grad.array).all()


# -- no leaks -----------------------------------------------------------------------------
def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


SOAK_STEPS, WARMUP = 200, 20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_200_steps_of_the_course_mlp_keep_memory_flat():
    rg.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                          nn.Linear(512, 10))
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(0)
    x = rg.tensor(rng.random((128, 784), dtype=np.float32))
    y = rg.tensor(rng.integers(0, 10, 128))
    gc.collect()
    gc.disable()            # the graph must be freed by reference counting alone
    try:
        rss = []
        for step in range(SOAK_STEPS):
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step == 0:
                op = weakref.ref(loss._op)
            if step + 1 >= WARMUP:
                rss.append(_rss_bytes())
            del loss
            if step == 0:
                assert op() is None, "the graph outlives its step"
    finally:
        gc.enable()
    growth = rss[-1] - rss[0]
    print(f"\nRSS after warm-up {rss[0] / 2**20:.1f} MiB, after {SOAK_STEPS} steps "
          f"{rss[-1] / 2**20:.1f} MiB (growth {growth / 2**20:+.2f} MiB, "
          f"peak {max(rss) / 2**20:.1f} MiB)")
    assert growth < 4 * 2**20
    assert max(rss) - rss[0] < 16 * 2**20
