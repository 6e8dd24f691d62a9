"""Device-generic code on device "cuda": every op, layer, loss, optimiser and Keras
``fit`` gives the CPU's results there.

Each test runs twice: under the fake CuPy of tests/fake_cupy.py ("fake-cuda", on
every machine) and under the real CuPy where it sees a GPU ("cuda", selected by
``bash benchmarks/gpu_check.sh`` with ``-k "cuda and not fake"``).

The fake is NumPy underneath with CuPy's strictness on top: its arrays are not
``numpy.ndarray``, implicit conversion to NumPy raises TypeError, an operator or a
``cupy`` function given a NumPy array raises TypeError, reductions return 0-d
device arrays. So every host/device mix-up in retrograd (a NumPy function on device
data, a host array meeting a device one, a NumPy-only fast path taken with a device
array) fails there as it would on a GPU. It does NOT test real GPU execution (CUDA
kernels, device memory, streams, speed), CuPy's own numerics, or NumPy features
CuPy lacks that the fake imitates anyway: the "cuda" variants do, on a GPU. A few
tests count what a step asks of the device through the fake; they skip on a GPU.
"""
import sys

import numpy as np
import pytest

import retrograd as rg
from retrograd import nn
from retrograd import optim
from retrograd.autodiff import jvp
from retrograd.nn import functional as F
from retrograd.ops.matmul import affine, linear

# float32. The fake computes with NumPy, so most results agree exactly; a GPU sums
# in another order (cuBLAS, CUB) and has its own exp/log/tanh, a few ulps apart,
# which training steps carry forward.
TOLERANCE = {"fake": (1e-5, 1e-6), "cuda": (2e-4, 2e-5)}


def _real_gpu():
    import fake_cupy
    return sys.modules.get("cupy") is not fake_cupy


def _fake_only(gpu):
    if _real_gpu():
        pytest.skip("counts what retrograd asks of CuPy through the fake CuPy")


def _host(x, device):
    """A result as a NumPy array, after checking that it lives on ``device``."""
    if isinstance(x, rg.Tensor):
        assert x.device == device, f"result on {x.device}, expected {device}"
        return x.numpy()
    if isinstance(x, (float, int, bool, list, np.floating, np.integer, np.bool_)):
        return np.asarray(x)
    if isinstance(x, np.ndarray):
        return x
    assert device == "cuda" and type(x).__module__ == "cupy", type(x)
    return x.get()


def same_on_both(fn):
    """``fn(device)`` returns a list of results; CUDA's must equal the CPU's."""
    rtol, atol = TOLERANCE["cuda" if _real_gpu() else "fake"]
    out = {}
    for device in ("cpu", "cuda"):
        rg.manual_seed(0)
        out[device] = [_host(r, device) for r in fn(device)]
    for i, (gpu, cpu) in enumerate(zip(out["cuda"], out["cpu"])):
        assert gpu.shape == cpu.shape and gpu.dtype == cpu.dtype, (i, gpu.dtype, cpu.dtype)
        np.testing.assert_allclose(gpu, cpu, rtol=rtol, atol=atol, err_msg=f"result {i}")
    return out["cpu"]


def test_the_fake_is_strict_as_cupy(gpu):
    """The fake refuses what CuPy refuses, or these tests could not fail."""
    a = rg.ones(3, device="cuda").array
    assert not isinstance(a, np.ndarray) and type(a).__module__ == "cupy"
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array"):
        np.asarray(a)
    with pytest.raises(TypeError, match="Unsupported type"):
        a + np.ones(3)
    with pytest.raises(TypeError, match="Unsupported type"):
        np.maximum(np.ones(3), a)
    with pytest.raises(TypeError, match="Only cupy arrays can be concatenated"):
        gpu.concatenate([a, np.ones(3)])
    axpy = gpu.ElementwiseKernel("T x, T alpha", "T y", "y += alpha * x", "t_axpy")
    with pytest.raises(TypeError, match="Type is mismatched"):
        axpy(a, 2.0, a.astype(np.float64))
    y = a.copy()   # an output given is read too; a scalar, even typed, takes T
    assert axpy(a, np.float64(2), y) is y and y.dtype == a.dtype and y.tolist() == [3, 3, 3]
    assert type(np.exp(a)) is type(a)                  # __array_ufunc__ → cupy.exp
    assert type(np.sum(a)) is type(a) and np.sum(a).ndim == 0  # 0-d, not a NumPy scalar
    assert float(a.sum()) == 3.0 and isinstance(a.get(), np.ndarray)
    with pytest.raises(RuntimeError, match="different devices"):
        rg.ones(3) + rg.ones(3, device="cuda")


# -- ops ---------------------------------------------------------------------------

_X = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
_Y = np.random.default_rng(2).standard_normal((4, 3)).astype(np.float32)

OPS = {
    "add": lambda x, y: x + y, "sub": lambda x, y: 1.5 - x - y, "mul": lambda x, y: x * y * 2,
    "div": lambda x, y: x / (y.abs() + 1) + 1 / (x * x + 1),
    "neg_pow": lambda x, y: -(x ** 2) + (y.abs() + 1) ** x + 2.0 ** y,
    "host_operand": lambda x, y: x * np.arange(3, dtype=np.float32) + np.float32(2) * y,
    "exp_log_sqrt": lambda x, y: x.exp() + (x.abs() + 1).log() + (y * y + 1).sqrt(),
    "abs_sin_cos": lambda x, y: x.abs() + x.sin() * y.cos(),
    "clip_max_min_where": lambda x, y: (x.clip(-0.5, 0.5) + rg.maximum(x, y)
                                        + rg.minimum(x, 0.1) + rg.where(x > 0, x, y)),
    "reductions": lambda x, y: (x.sum() + x.sum(0) + x.mean(1, keepdims=True) + x.max()
                                + x.min(axis=0) + x.var(0) + x.std(1, keepdims=True)
                                + x.logsumexp(1, keepdims=True)) * y,
    "softmax": lambda x, y: x.softmax(1) * y + x.log_softmax(0),
    "matmul": lambda x, y: (x @ y.T) @ x + linear(x, y[:2], y[0, :2]).sum(1, keepdims=True),
    "affine_batched": lambda x, y: (affine(x, y.T, y[:, 0]).reshape(2, 2, 4)
                                    @ x.reshape(1, 4, 3)).sum(0),
    "shape": lambda x, y: (x.reshape(3, 4).T + x.transpose(1, 0).permute(1, 0).T.T
                           + x.flatten().reshape(4, 3).unsqueeze(0).squeeze(0)
                           + y[:1].expand(4, 3) + x[0].broadcast_to((4, 3))),
    "concat_stack_split": lambda x, y: (rg.concatenate([x, y], axis=1)[:, 1:4]
                                        + rg.stack([x, y]).sum(0)
                                        + sum(rg.ops.shape.split(x, 3, axis=1)) ),
    "indexing": lambda x, y: (x[1:3, ::2].sum() + x[[0, 2, 2]].sum(0) + x[np.array([3, 3])]
                              .sum() + x[rg.tensor([1, 0])].sum() + x[x > 0].sum()
                              + x[:, 1] @ y[:, 2] + x[rg.arange(4), np.array([0, 1, 2, 0])]
                              .sum() + x[..., None, 0].sum()),
    "cast": lambda x, y: x.double().float() * y.to("float64").to("float32"),
}


@pytest.mark.parametrize("name", OPS)
def test_op_forward_and_backward(gpu, name):
    def run(device):
        x = rg.tensor(_X, device=device, requires_grad=True)
        y = rg.tensor(_Y, device=device, requires_grad=True)
        out = OPS[name](x, y)
        (out * out).sum().backward()
        return [out, x.grad, y.grad]
    same_on_both(run)


ACTIVATIONS = [F.sigmoid, F.tanh, F.relu, F.relu6, F.leaky_relu, F.elu, F.selu, F.gelu,
               lambda x: F.gelu(x, approximate="tanh"), F.silu, F.softplus, F.hardtanh,
               F.hardsigmoid, F.hardswish, F.softsign, F.mish, F.logsigmoid,
               lambda x: F.prelu(x, rg.full((1,), 0.2, device=x.device)),
               lambda x: F.rrelu(x, training=False), lambda x: F.heaviside(x) + x,
               lambda x: F.softmax(x, 1), lambda x: F.log_softmax(x, 0)]


def test_every_activation_forward_backward_and_jvp(gpu):
    def run(device):
        results = []
        for f in ACTIVATIONS:
            x = rg.tensor(_X * 3, device=device, requires_grad=True)
            y = f(x)
            (y * y).sum().backward()
            _, tangent = jvp(f, (rg.tensor(_X, device=device),), (rg.tensor(_Y, device=device),))
            results += [y, x.grad, tangent]
        return results
    same_on_both(run)


def test_comparisons_and_argmax(gpu):
    def run(device):
        x, y = rg.tensor(_X, device=device), rg.tensor(_Y, device=device)
        return [x > y, x == x, x.argmax(1), x.argmin(), (x > 0).any(0), (x > -9).all(),
                x.item() if x.size == 1 else x[0, 0].item(), float(x.sum()), x.tolist()[0]]
    same_on_both(run)


# -- losses ------------------------------------------------------------------------

def _losses(device):
    x = rg.tensor(_X, device=device, requires_grad=True)
    p = x.sigmoid()
    y01 = rg.tensor((_Y > 0).astype(np.float32), device=device)
    labels = rg.tensor(np.array([0, 2, 1, 2]), device=device)
    probs = rg.tensor(np.abs(_Y) / np.abs(_Y).sum(1, keepdims=True), device=device)
    w = rg.tensor([1.0, 2.0, 0.5], device=device)
    sign = rg.tensor(np.where(_Y[:, 0] > 0, 1.0, -1.0).astype(np.float32), device=device)
    losses = [
        F.mse_loss(x, rg.tensor(_Y, device=device)), F.l1_loss(x, rg.tensor(_Y, device=device)),
        F.huber_loss(x, rg.tensor(_Y, device=device), delta=0.5),
        F.smooth_l1_loss(x, rg.tensor(_Y, device=device), reduction="sum"),
        F.binary_cross_entropy(p, y01), F.binary_cross_entropy(p, y01, weight=w),
        F.binary_cross_entropy_with_logits(x, y01),
        F.binary_cross_entropy_with_logits(x, y01, pos_weight=w),
        F.kl_div(x.log_softmax(1), probs), F.kl_div(x.log_softmax(1), probs.log(),
                                                     log_target=True, reduction="batchmean"),
        F.cross_entropy(x, labels), F.cross_entropy(x, labels, label_smoothing=0.1),
        F.cross_entropy(x, labels, weight=w), F.cross_entropy(x, probs),
        F.cross_entropy(x, rg.tensor([0, -100, 1, 2], device=device)),
        F.cross_entropy(x, np.array([0, 2, 1, 2])),            # host labels, device logits
        F.cross_entropy(x, labels, reduction="none").sum(),
        F.nll_loss(x.log_softmax(1), labels), F.nll_loss(x.log_softmax(1), labels, weight=w),
        F.hinge_embedding_loss(x[:, 0], sign), F.multi_margin_loss(x, labels),
        F.multi_margin_loss(x, labels, p=2, weight=w),
        nn.CrossEntropyLoss()(x, labels), nn.MSELoss(reduction="sum")(x, x.detach() * 0.5),
    ]
    total = losses[0]
    for loss in losses[1:]:
        total = total + loss
    total.backward()
    return losses + [x.grad]


def test_every_loss_forward_and_backward(gpu):
    same_on_both(_losses)


# -- layers, models, optimisers ----------------------------------------------------------

def _mlp():
    return nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(),
                         nn.Linear(8, 8), nn.Sigmoid(), nn.Linear(8, 3))


def test_layers_and_sequential_chain(gpu):
    def run(device):
        model = nn.Sequential(
            nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(),   # a Chain run
            nn.Dense(6, activation="relu", kernel_regularizer=nn.regularizers.L1L2(0.01, 0.01)),
            nn.PReLU(), nn.Dropout(0.3, generator=np.random.default_rng(5)), nn.ELU(), nn.Identity(), nn.Flatten(),
            nn.Dense(3, activation="softmax")).to(device)
        x = rg.tensor(_X, device=device)
        out = model(x)
        loss = (out * out).sum() + model.regularization_loss()
        loss.backward()
        model.eval()
        grads = [p.grad for p in model.parameters()]
        return [out, loss, model(x)] + grads
    same_on_both(run)


def test_gradient_clipping(gpu):
    def run(device):
        model = _mlp().to(device)
        (model(rg.tensor(_X, device=device)) ** 2).sum().backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), 0.1)
        nn.utils.clip_grad_value_(model.parameters(), 0.01)
        return [norm] + [p.grad for p in model.parameters()]
    same_on_both(run)


OPTIMIZERS = {
    "sgd": lambda ps: optim.SGD(ps, lr=0.1),
    "sgd_momentum": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=1e-3),
    "sgd_nesterov": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda ps: optim.Adam(ps, lr=1e-2),
    "adam_amsgrad": lambda ps: optim.Adam(ps, lr=1e-2, amsgrad=True, weight_decay=1e-3),
    "adamw": lambda ps: optim.AdamW(ps, lr=1e-2),
    "rmsprop": lambda ps: optim.RMSprop(ps, lr=1e-2, momentum=0.5, centered=True),
    "adagrad": lambda ps: optim.Adagrad(ps, lr=1e-1, lr_decay=0.01, weight_decay=1e-3),
}


@pytest.mark.parametrize("batch", [1, 4])   # 1: online SGD, the factored ger path
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_steps(gpu, name, batch):
    def run(device):
        model = _mlp().to(device)
        opt = OPTIMIZERS[name](model.parameters())
        labels = rg.tensor(np.array([0, 1, 2, 1]), device=device)
        for step in range(3):
            x = rg.tensor(_X[:batch] * (step + 1), device=device)
            opt.zero_grad()
            loss = F.cross_entropy(model(x), labels[:batch])
            loss.backward()
            opt.step()
        state = opt.state_dict()
        opt.load_state_dict(state)
        return [loss] + list(model.parameters())
    same_on_both(run)


def test_model_to_cuda_and_back(gpu):
    model = _mlp()
    params = list(model.parameters())
    assert model.to("cuda") is model and all(p.device == "cuda" for p in model.parameters())
    assert all(a is b for a, b in zip(params, model.parameters()))
    state = model.state_dict()
    assert all(t.device == "cuda" for t in state.values())
    other = _mlp().to("cuda")
    other.load_state_dict({k: v.numpy() for k, v in state.items()})   # host arrays in
    assert all(p.device == "cuda" for p in other.parameters())
    x = rg.tensor(_X, device="cuda")
    np.testing.assert_array_equal(other(x).numpy(), model(x).numpy())
    model.to("cpu")
    assert all(p.device == "cpu" for p in model.parameters())
    rtol, atol = TOLERANCE["cuda" if _real_gpu() else "fake"]
    np.testing.assert_allclose(model(rg.tensor(_X)).numpy(), other(x).numpy(), rtol=rtol,
                               atol=atol)


def test_checkpoint_of_a_device_model(gpu, tmp_path):
    from retrograd.checkpoint import load_checkpoint, save_checkpoint

    def train(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            (model(rg.tensor(_X, device="cuda")) ** 2).mean().backward()
            opt.step()

    model = _mlp().to("cuda")
    opt = optim.Adam(model.parameters(), lr=1e-2)
    train(model, opt, 2)
    save_checkpoint(tmp_path / "run.ckpt", model, opt, epoch=1)
    rg.manual_seed(5)
    again = _mlp().to("cuda")
    opt2 = optim.Adam(again.parameters(), lr=1e-2)
    assert load_checkpoint(tmp_path / "run.ckpt", again, opt2)["epoch"] == 1
    assert all(p.device == "cuda" for p in again.parameters())
    train(model, opt, 2)
    train(again, opt2, 2)
    for a, b in zip(model.parameters(), again.parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    # and a CPU model reads a checkpoint written from the device
    cpu = _mlp()
    load_checkpoint(tmp_path / "run.ckpt", cpu)
    assert all(p.device == "cpu" for p in cpu.parameters())


# -- keras ---------------------------------------------------------------------------------

def test_keras_fit_evaluate_predict_save_on_cuda(gpu, tmp_path):
    from retrograd import keras
    x = np.random.default_rng(3).standard_normal((64, 5)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)

    def run(device):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="relu"),
                                  keras.layers.Dropout(0.2, seed=7),   # a host generator: same masks
                                  keras.layers.Dense(2, activation="softmax")])
        model.to(device)
        model.compile(optimizer=keras.optimizers.Adam(1e-2),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        hist = model.fit(x, y, batch_size=16, epochs=2, validation_split=0.25, verbose=0)
        ev = model.evaluate(x, y, verbose=0)
        pred = model.predict(x, verbose=0)
        path = tmp_path / f"{device}.keras"
        model.save(path)
        loaded = keras.models.load_model(path)
        assert all(p.device == "cpu" for p in loaded.parameters())
        return [np.array(hist.history["loss"]), np.array(hist.history["val_accuracy"]),
                np.array(ev), pred, loaded.predict(x, verbose=0)]
    same_on_both(run)


def test_keras_models_called_on_host_arrays_run_on_their_device(gpu):
    """Keras takes NumPy inputs whatever the device: ``model(x)`` puts them where the
    weights are (bug found by the fake: they stayed on the CPU and met CUDA weights)."""
    from retrograd import keras

    class TwoInputs(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(2)

        def call(self, inputs):
            return self.d(inputs[0]) + self.d(inputs[1])

    def run(device):
        keras.utils.set_random_seed(0)
        seq = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(2)])
        a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
        two = keras.Model([a, b], keras.layers.Dense(2)(keras.layers.Concatenate()([a, b])))
        sub = TwoInputs()
        sub([_X, _X])
        for m in (seq, two, sub):
            m.to(device)
        seq.set_weights(seq.get_weights())          # NumPy arrays into device weights
        seq.layers[0].set_weights([w * 2 for w in seq.layers[0].get_weights()])
        return [seq(_X), seq(_X.tolist()), seq.layers[0](_X), two([_X, _Y]),
                two({"a": _X, "b": _Y}), sub([_X, _Y]),
                nn.Sequential(nn.Linear(3, 2), nn.ReLU()).to(device)(_X)]
    same_on_both(run)


def test_mixing_devices_in_a_dense_layer_names_the_op(gpu):
    """``affine`` (nn.Dense) checks devices as ``linear`` does, instead of failing
    inside the array library with CuPy's TypeError."""
    with pytest.raises(RuntimeError, match="affine: operands are on different devices"):
        affine(rg.tensor(_X), rg.ones(3, 2, device="cuda"))


def test_utilities_on_a_device(gpu):
    """Metrics, one_hot, initialisers, autodiff, hooks, item assignment, dropout,
    data loading and LR schedules on device tensors."""
    from retrograd import autodiff
    from retrograd.data import DataLoader, TensorDataset

    def run(device):
        x = rg.tensor(_X, device=device, requires_grad=True)
        labels = rg.tensor([0, 1, 2, 0], device=device)
        results = [nn.metrics.accuracy(x, labels), nn.metrics.accuracy(x[:, 0], x[:, 1] > 0),
                   F.one_hot(labels)]
        for name in ["uniform_", "normal_", "trunc_normal_", "xavier_uniform_",
                     "kaiming_normal_", "orthogonal_", "zeros_"]:
            t = rg.zeros(5, 4, device=device)
            getattr(nn.init, name)(t)
            results.append(t)
        f = lambda t: (t.tanh() ** 2).sum()             # noqa: E731
        results += [autodiff.grad(f)(x), autodiff.jacobian(lambda t: t.tanh(), x[0]),
                    autodiff.jacobian(lambda t: t.tanh(), x[0], mode="fwd"),
                    autodiff.vjp(lambda t: t.sin(), x)[0]]
        y = x * 2
        y.register_hook(lambda g: g * 3)
        y.backward(gradient=np.ones((4, 3), np.float32))   # a host gradient
        results.append(x.grad)
        with rg.no_grad():
            z = x.detach() * 1
            z[0] = np.array([1.0, 2.0, 3.0], dtype=np.float32)   # host row into device data
            z[1, 2] = 5.0
            z[[2, 3]] = rg.zeros(2, 3, device=device)
            z[z > 4] = 0
        results += [z, rg.tensor(np.arange(3), device=device).exp(), np.asarray(z)]
        with rg.detect_anomaly():
            (x * 3).sum().backward()
        # generator=: drawn on the host, the same masks on both devices (test_dropout_... below)
        results.append(F.dropout(x, 0.5, training=True, generator=np.random.default_rng(2)))
        model = nn.Sequential(nn.Linear(3, 4),
                              nn.Dropout(0.5, generator=np.random.default_rng(4))).to(device)
        results.append(nn.mc_dropout_predict(model, x, n=3))
        loader = DataLoader(TensorDataset(x.detach(), labels), batch_size=3, shuffle=True)
        results += [b for batch in loader for b in batch]
        opt = optim.SGD(model.parameters(), lr=0.1)
        sched = optim.ReduceLROnPlateau(opt, patience=0)
        for _ in range(3):
            sched.step((model(x) ** 2).mean())
        results.append(opt.param_groups[0]["lr"])
        return results
    same_on_both(run)


def test_keras_fit_options_on_cuda(gpu, tmp_path):
    """Sample and class weights, callbacks, several outputs, every optimiser at batch
    size 1 (the factored-gradient path) on a CUDA model."""
    from retrograd import keras
    y = np.array([0, 1, 1, 0])

    def run(device):
        keras.utils.set_random_seed(0)
        out = []
        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(2)]).to(device)
        m.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
        m.fit(_X, y, epochs=1, verbose=0, class_weight={0: 1.0, 1: 2.0})
        h = m.fit(_X, y, epochs=2, verbose=0, sample_weight=np.arange(1.0, 5.0),
                  callbacks=[keras.callbacks.EarlyStopping(monitor="loss", patience=1),
                             keras.callbacks.ModelCheckpoint(str(tmp_path / f"{device}.keras"))])
        out += [np.array(h.history["loss"]), m.train_on_batch(_X, y), m.test_on_batch(_X, y),
                m.predict_on_batch(_X)]
        a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
        hid = keras.layers.Concatenate()([a, b])
        two = keras.Model([a, b], [keras.layers.Dense(2, name="c")(hid),
                                   keras.layers.Dense(1, name="r")(hid)]).to(device)
        two.compile("rmsprop", ["sparse_categorical_crossentropy", "mse"],
                    metrics=[["accuracy"], ["mae"]])
        h = two.fit([_X, _Y], [y, _Y[:, :1]], epochs=1, verbose=0)
        out += [np.array(h.history["loss"])] + list(two.predict([_X, _Y], verbose=0))
        for opt in ["sgd", "adam", "adamw", "rmsprop", "adagrad",
                    keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True)]:
            m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).to(device)
            m.compile(opt, "mse")
            m.fit(_X, _Y[:, :2], epochs=1, batch_size=1, shuffle=False, verbose=0)
            out += m.get_weights()
        return out
    same_on_both(run)


def test_keras_losses_called_on_device_predictions(gpu):
    """``loss(y_true, y_pred)`` with y_pred on CUDA: the targets and sample weights,
    checked on the host, go to y_pred's device (bug found by the fake: they stayed on
    the CPU)."""
    from retrograd import keras
    labels = np.array([0, 1, 2, 0])
    onehot = np.eye(3, dtype=np.float32)[labels]
    binary = (_Y > 0).astype(np.float32)
    w = np.arange(1.0, 5.0)
    cases = [(keras.losses.CategoricalCrossentropy(), onehot),
             (keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1), onehot),
             (keras.losses.SparseCategoricalCrossentropy(), labels),
             (keras.losses.SparseCategoricalCrossentropy(from_logits=True), labels),
             (keras.losses.BinaryCrossentropy(label_smoothing=0.1), binary),
             (keras.losses.BinaryCrossentropy(from_logits=True), binary),
             (keras.losses.MeanSquaredError(), _Y), (keras.losses.MeanAbsoluteError(), _Y),
             (keras.losses.get(lambda a, b: ((a - b) ** 2).mean(axis=-1)), _Y)]

    def run(device):
        p = rg.tensor(np.abs(_X) / np.abs(_X).sum(1, keepdims=True), device=device,
                      requires_grad=True)
        out = []
        for loss, y in cases:
            out += [loss(y, p), loss(rg.tensor(y, device=device), p),
                    loss(y, p, sample_weight=w)]
        total = out[0]
        for v in out[1:]:
            total = total + v
        total.backward()
        return out + [p.grad]
    same_on_both(run)


# -- what a GPU step costs: reads back to the host, kernel launches, transfers --------------

def test_a_training_step_reads_the_device_at_most_once(gpu):
    """Each read of device data by the host waits for the GPU to finish its queue:
    PyTorch's step has none; ours has one, the class labels' range check."""
    _fake_only(gpu)
    model = _mlp().to("cuda")
    opt = optim.SGD(model.parameters(), lr=0.1)
    x = rg.tensor(np.random.default_rng(0).standard_normal((100, 3)), device="cuda")
    y = rg.tensor(np.arange(100) % 3, device="cuda")   # > 64 labels: checked on the device
    F.cross_entropy(model(x), y).backward()   # warm: first-use work is not per step
    before = gpu.reads
    opt.zero_grad()
    F.cross_entropy(model(x), y).backward()
    opt.step()
    assert gpu.reads - before == 1
    with pytest.raises(ValueError, match=r"class labels must lie in \[0, 3\)"):
        F.cross_entropy(model(x), rg.tensor(np.arange(100) % 4, device="cuda"))


def test_sgd_updates_each_parameter_with_one_kernel(gpu, monkeypatch):
    _fake_only(gpu)
    calls = []
    run = gpu.ElementwiseKernel.__call__
    monkeypatch.setattr(gpu.ElementwiseKernel, "__call__",
                        lambda k, *a: calls.append(k.name) or run(k, *a))

    def train(device):
        model = _mlp().to(device)
        opt = optim.SGD(model.parameters(), lr=0.1)
        F.cross_entropy(model(rg.tensor(_X, device=device)),
                        rg.tensor(np.array([0, 1, 2, 1]), device=device)).backward()
        calls.clear()
        opt.step()
        return list(model.parameters())
    same_on_both(train)
    assert calls == ["retrograd_axpy"] * len(list(_mlp().parameters()))


def test_dropout_and_rrelu_draw_on_the_device(gpu, monkeypatch):
    """No mask crosses the bus: CuPy's generator draws it, seeded from the default
    generator, so manual_seed and set_rng_state make GPU runs reproducible."""
    from retrograd import random as rg_random
    moved = []
    to_device = gpu.asarray
    monkeypatch.setattr(gpu, "asarray",
                        lambda a, *args, **kw: moved.append(type(a)) or to_device(a, *args, **kw))
    x = rg.ones(200, 200, device="cuda")
    moved.clear()
    rg.manual_seed(3)
    a = F.dropout(x, 0.25, training=True).numpy()
    slopes = F.rrelu(-x, 0.1, 0.3, training=True).numpy()
    assert np.ndarray not in moved
    kept = (a != 0).mean()
    assert abs(kept - 0.75) < 0.02 and np.allclose(a[a != 0], 1 / 0.75)
    assert np.all((-slopes >= 0.1) & (-slopes <= 0.3)) and slopes.std() > 0.03
    rg.manual_seed(3)
    assert np.array_equal(F.dropout(x, 0.25, training=True).numpy(), a)
    assert not np.array_equal(F.dropout(x, 0.25, training=True).numpy(), a)   # moves on
    state = rg_random.get_rng_state()
    rg_random.set_rng_state(state)
    b = F.dropout(x, 0.25, training=True).numpy()
    rg_random.set_rng_state(state)   # as a checkpoint's resume does
    assert np.array_equal(F.dropout(x, 0.25, training=True).numpy(), b)
    # A generator given: drawn on the host, the CPU's masks exactly.
    cpu = F.dropout(rg.ones(200, 200), 0.25, training=True,
                    generator=np.random.default_rng(1)).numpy()
    gpu = F.dropout(x, 0.25, training=True, generator=np.random.default_rng(1)).numpy()
    assert np.array_equal(cpu, gpu)


def test_constant_index_and_zero_arrays_are_made_once_per_device(gpu):
    from retrograd import backend
    rows = backend.constant(np, "rows", 5)
    assert rows is backend.constant(np, "rows", 5) and list(rows) == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="read-only"):
        rows[0] = 7
    on_gpu = backend.constant(gpu, "rows", 5)
    assert type(on_gpu).__module__ == "cupy" and on_gpu.tolist() == [0, 1, 2, 3, 4]
    assert backend.constant(gpu, "rows", 5) is on_gpu   # once per device too
    zeros = backend.constant(gpu, "zeros", (3,), np.float32)
    assert zeros.dtype == np.float32 and zeros.tolist() == [0, 0, 0]
    assert backend.constant(gpu, "zeros", (3,), np.float32) is zeros
    host_zeros = backend.constant(np, "zeros", (3,), np.float32)
    assert type(host_zeros) is np.ndarray and not host_zeros.flags.writeable
    assert backend.constant(np, "zeros", (), np.float64).shape == ()   # a 0-d ReLU input


def test_a_model_moved_before_it_is_built_builds_on_its_device(gpu):
    """Keras layers and Dense make their weights at the first call: after
    ``model.to("cuda")`` they must be made there, or training silently stays on
    the CPU."""
    from retrograd import keras
    x = np.random.default_rng(0).standard_normal((32, 5)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    model = keras.Sequential([keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    assert model.to("cuda") is model and not list(model.parameters())   # not built yet
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert [p.device for p in model.parameters()] == ["cuda"] * 4
    dense = nn.Sequential(nn.Dense(4), nn.ReLU()).to("cuda")
    out = dense(rg.tensor(x, device="cuda"))
    assert out.device == "cuda" and dense[0].kernel.device == "cuda"


def test_what_is_registered_after_to_is_moved_there_grads_included(gpu):
    """Every way of registering state after ``to("cuda")`` puts it on the device,
    a parameter's gradient with it (``to()`` moves both: an optimiser step must
    not mix devices)."""
    model = nn.Module().to("cuda")
    w = nn.Parameter(np.ones(3, np.float32))
    w.grad = rg.ones(3)
    model.w = w
    model.register_parameter("v", nn.Parameter(np.ones(2, np.float32)))
    model.register_buffer("count", np.zeros(1, np.int64))
    model.count = rg.ones(1)   # a buffer reassigned
    model.sub = nn.Linear(2, 2)
    assert [t.device for t in (model.w, model.w.grad, model.v, model.count,
                               model.sub.weight)] == ["cuda"] * 5
    assert model.w is w   # the same Parameter object (an optimiser may hold it)


def test_keras_device_scope_trains_the_model_there(gpu):
    """``with keras.device("gpu:0"): model.fit(...)`` as in Keras 3: the model is
    moved to the GPU when it trains inside the block, and stays there after."""
    from retrograd import keras
    x = np.random.default_rng(0).standard_normal((32, 5)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)

    def run(device):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.layers.Dense(8, activation="relu"),
                                  keras.layers.Dense(2, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        with keras.device("gpu:0" if device == "cuda" else "cpu:0"):
            hist = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
            pred = model.predict(x, verbose=0)
        assert {p.device for p in model.parameters()} == {device}
        return [np.array(hist.history["loss"]), pred]
    same_on_both(run)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(2)])
    with keras.device("cuda"):
        out = model(x)
    assert out.device == "cuda"
    with keras.device("cpu"):
        model.predict(x, verbose=0)
    assert {p.device for p in model.parameters()} == {"cpu"}


def test_gpu_bench_measures_retrograd_when_pytorch_has_no_cuda(gpu, capsys):
    """benchmarks/gpu_bench.py on device "cuda": retrograd's rows are measured even
    when PyTorch cannot use CUDA (here a CPU build); its own cells say why."""
    _fake_only(gpu)
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_bench.py"
    spec = importlib.util.spec_from_file_location("gpu_bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rows = bench.main(["--device", "cuda", "--quick", "--reps", "1", "--batches", "16",
                       "--workloads", "mlp", "--random-data"])
    (row,) = rows
    rate, _ = row["retrograd"]
    assert rate > 0
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        assert row["pytorch"].startswith("n/a (")
        assert "pytorch: n/a" in capsys.readouterr().out


def test_keras_takes_data_already_on_the_gpu(gpu):
    """fit/evaluate/predict given CuPy arrays or CUDA tensors, as a Keras user gives
    tensors on the GPU: for a model there the inputs stay on the device (sliced
    there, never copied back); for a model on the CPU they come to the host once."""
    from retrograd import keras
    x = np.random.default_rng(0).standard_normal((64, 5)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)

    def run(device):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="relu"),
                                  keras.layers.Dense(2, activation="softmax")]).to(device)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        xs = gpu.asarray(x) if device == "cuda" else x
        ys = rg.tensor(y, device=device)
        hist = model.fit(xs, ys, batch_size=16, epochs=2, validation_split=0.25, verbose=0)
        ev = model.evaluate(xs, ys, verbose=0)
        pred = model.predict(xs, verbose=0)
        assert isinstance(pred, np.ndarray)   # Keras returns NumPy whatever the device
        return [np.array(hist.history["loss"]), np.array(ev), pred, model(xs)]
    same_on_both(run)
    if not _real_gpu():   # the inputs are sliced on the device: never read by the host
        read = []
        get = gpu.ndarray.get
        gpu.ndarray.get = lambda a, *args, **kw: read.append(a.shape) or get(a, *args, **kw)
        try:
            model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(2)]).to("cuda")
            model.compile(optimizer="sgd", loss="mse")
            model.fit(gpu.asarray(x), np.zeros((64, 2), np.float32), batch_size=16,
                      verbose=0)
            model.predict(gpu.asarray(x), verbose=0)
        finally:
            gpu.ndarray.get = get
        assert read and not [s for s in read if s[-1:] == (5,)], read   # outputs only
    cpu_model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(2)])
    cpu_model.compile(optimizer="sgd", loss="mse")
    cpu_model.fit(gpu.asarray(x), np.zeros((64, 2), np.float32), verbose=0)
    assert {p.device for p in cpu_model.parameters()} == {"cpu"}
