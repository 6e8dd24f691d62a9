"""Guarantee 4 — bad input everywhere: every public layer, loss, optimiser and
fit/evaluate/predict, fed random wrong shapes, dtypes (ints, bools, objects,
float16, strings, complex), empty arrays, NaN/Inf and Python lists, either works
or raises the library's ValueError/TypeError — raised by retrograd's own code, with
a message naming the argument — never an IndexError, AttributeError or a NumPy
error from inside."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import retrograd as rg
from retrograd import keras, nn, optim
from retrograd.keras import layers

PACKAGE = os.path.dirname(rg.__file__)
F = 4             # the feature count the layers below expect

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


# -- bad values ------------------------------------------------------------------------------
def _filled(shape, dtype):
    a = np.ones(shape, dtype=np.float32)
    if dtype == "U3":
        return a.astype("U3")
    if dtype is object:
        return a.astype(object)
    return a.astype(dtype)


DTYPES = [np.int64, np.int32, np.bool_, np.float16, np.float64, np.complex64, "U3", object]
shapes = st.lists(st.integers(0, 5), max_size=4).map(tuple)


def bad_values(good_shape=(2, F)):
    nonfinite = st.tuples(st.integers(0, good_shape[0] * good_shape[-1] - 1),
                          st.sampled_from([np.nan, np.inf, -np.inf])).map(
        lambda t: np.put(a := np.ones(good_shape, np.float32), t[0], t[1]) or a)
    return st.one_of(
        shapes.map(lambda s: _filled(s, np.float32)),                       # wrong shapes
        st.tuples(st.sampled_from(DTYPES), st.sampled_from([good_shape, (0,) + good_shape[1:],
                                                            good_shape[:1]]))
        .map(lambda t: _filled(t[1], t[0])),                                # wrong dtypes
        nonfinite,                                                          # NaN / Inf
        st.sampled_from([np.zeros((0, F), np.float32), np.zeros((0,), np.float32),
                         np.zeros((2, 0), np.float32), np.float32(1.0)]),   # empty, 0-d
        st.sampled_from([[[1.0] * F] * 2, [[1.0, 2.0], [1.0]], [], [[]], [1, 2, 3, 4],
                         [[True] * F], [["a"] * F]]),                       # Python lists
        st.sampled_from([None, "abc", 3, 2.5, True, {"a": 1}, object(), b"\x00",
                         np.array([None, "x"], dtype=object)]),             # not arrays
    )


def _from_library(exc):
    """The innermost frame that raised is retrograd's own code."""
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_filename.startswith(PACKAGE)


def _call(fn, args, names):
    """fn(*args): a result, or a ValueError/TypeError from retrograd naming one of
    ``names``. Anything else fails the test."""
    try:
        return fn(*args)
    except (ValueError, TypeError) as e:
        msg = str(e)
        assert _from_library(e), f"{type(e).__name__} raised inside a dependency: {msg}"
        assert any(n in msg for n in names), f"the message names none of {names}: {msg}"
        return None


# -- layers ------------------------------------------------------------------------------------
# Factories: a lazy layer (Dense) is built by the first input it sees.
LAYERS = [lambda: nn.Linear(F, 3), lambda: nn.Dense(3), lambda: nn.Dense(3, input_dim=F),
          nn.Identity, nn.Flatten, lambda: nn.Dropout(0.5), lambda: nn.Activation("relu"),
          lambda: nn.Sequential(nn.Linear(F, 3), nn.ReLU())] + [
    getattr(nn, name) for name in (
        "Heaviside", "Sigmoid", "Tanh", "ReLU", "ReLU6", "LeakyReLU", "PReLU", "RReLU", "ELU",
        "SELU", "GELU", "SiLU", "Softplus", "Hardtanh", "Hardsigmoid", "Hardswish",
        "Softsign", "Mish", "LogSigmoid", "Softmax", "LogSoftmax")] + [
    lambda: layers.Dense(3), lambda: layers.Dense(3, input_dim=F),
    lambda: layers.Activation("softmax"), lambda: layers.Dropout(0.5), layers.Flatten,
    lambda: layers.Reshape((2, 2)), layers.ReLU, layers.LeakyReLU, layers.PReLU,
    layers.ELU, layers.Softmax]


@settings(max_examples=700, **SETTINGS)
@given(st.integers(0, len(LAYERS) - 1), bad_values())
def test_layers_refuse_bad_input_clearly(i, x):
    layer = LAYERS[i]()
    layer.train()
    out = _call(layer, (x,), ("input", "x"))
    if out is not None:
        assert isinstance(out, rg.Tensor) and out.dtype.kind == "f", type(layer).__name__


def test_layers_accept_good_input():
    x = rg.tensor(np.ones((2, F), np.float32))
    for make in LAYERS:
        layer = make()
        assert layer(x).shape[0] == 2, type(layer).__name__


# -- losses --------------------------------------------------------------------------------
def _losses():
    """(loss, a good input, a good target) for every public loss."""
    logits = np.ones((2, 3), np.float32)
    probs = np.full((2, 3), 0.5, np.float32)
    labels = np.array([0, 2])
    return [
        (nn.CrossEntropyLoss(), logits, labels), (nn.NLLLoss(), logits, labels),
        (nn.MSELoss(), logits, probs), (nn.L1Loss(), logits, probs),
        (nn.HuberLoss(), logits, probs), (nn.SmoothL1Loss(), logits, probs),
        (nn.BCELoss(), probs, probs), (nn.BCEWithLogitsLoss(), logits, probs),
        (nn.KLDivLoss(reduction="batchmean"), logits, probs),
        (nn.HingeEmbeddingLoss(), logits, np.ones((2, 3), np.float32)),
        (nn.MultiMarginLoss(), logits, labels),
        (keras.losses.CategoricalCrossentropy(), probs, np.eye(3, dtype=np.float32)[labels]),
        (keras.losses.SparseCategoricalCrossentropy(), probs, labels),
        (keras.losses.BinaryCrossentropy(), probs, probs),
        (keras.losses.MeanSquaredError(), probs, probs),
        (keras.losses.MeanAbsoluteError(), probs, probs),
    ]


LOSSES = _losses()


def _loss_call(loss, input, target):
    if isinstance(loss, keras.losses.Loss):
        return loss(target, input)          # Keras order: (y_true, y_pred)
    return loss(input, target)


@settings(max_examples=700, **SETTINGS)
@given(st.integers(0, len(LOSSES) - 1), st.booleans(), bad_values((2, 3)))
def test_losses_refuse_bad_input_clearly(i, bad_target, value):
    loss, x, t = LOSSES[i]
    x, t = (rg.tensor(x), value) if bad_target else (value, t)
    out = _call(_loss_call, (loss, x, t), ("input", "target", "y_true", "y_pred"))
    if out is not None:
        assert isinstance(out, rg.Tensor)


def test_losses_accept_good_input():
    for loss, x, t in LOSSES:
        v = _loss_call(loss, rg.tensor(x), t)
        assert np.isfinite(float(v.data.sum())), type(loss).__name__


# -- optimisers ----------------------------------------------------------------------------
OPTIMIZERS = [(optim.SGD, ("lr", "momentum", "dampening", "weight_decay")),
              (optim.Adam, ("lr", "betas", "eps", "weight_decay")),
              (optim.AdamW, ("lr", "betas", "eps", "weight_decay")),
              (optim.RMSprop, ("lr", "alpha", "eps", "weight_decay", "momentum")),
              (optim.Adagrad, ("lr", "lr_decay", "weight_decay", "eps"))]
# Bad for every hyper-parameter (0.0 and most floats are fine for some, e.g. momentum).
ALWAYS_BAD = [-1.0, np.nan, np.inf, -np.inf, "0.1", None, [0.1], True, 1e400, (0.9,), object()]
bad_numbers = st.one_of(st.sampled_from(ALWAYS_BAD[:1] + [0.0] + ALWAYS_BAD[1:]),
                        st.floats(allow_nan=True, allow_infinity=True))


def _always_bad(value):
    return any(value is v for v in ALWAYS_BAD)


@settings(max_examples=400, **SETTINGS)
@given(st.integers(0, len(OPTIMIZERS) - 1), st.data())
def test_optimizers_refuse_bad_arguments_clearly(i, data):
    cls, hyper = OPTIMIZERS[i]
    w = rg.tensor(np.ones((2, 2), np.float32), requires_grad=True)
    if data.draw(st.booleans()):
        name = data.draw(st.sampled_from(hyper))
        value = data.draw(bad_numbers)
        out = _call(lambda: cls([w], **{name: value}), (), (name,))
        assert out is None or not _always_bad(value), f"{cls.__name__}({name}={value!r}) accepted"
    else:
        params = data.draw(st.one_of(bad_values(), st.sampled_from(
            [[np.ones(3)], [[1.0, 2.0]], [w, w], [rg.tensor([1.0])], [None], [{"lr": 1}],
             {"params": []}, w, 3])))
        out = _call(cls, (params,), ("params", "parameter"))
        assert out is None, f"{cls.__name__}({params!r}) accepted"


@settings(max_examples=100, **SETTINGS)
@given(st.sampled_from(list(keras.optimizers.ALL.values())), bad_numbers)
def test_keras_optimizers_refuse_bad_learning_rates(cls, value):
    out = _call(lambda: cls(learning_rate=value), (), ("learning_rate",))
    assert out is None or not _always_bad(value), f"{cls.__name__}(learning_rate={value!r}) accepted"


# -- fit / evaluate / predict -------------------------------------------------------------------
@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input(shape=(F,)), layers.Dense(3, activation="softmax")])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


GOOD_X, GOOD_Y = np.ones((6, F), np.float32), np.array([0, 1, 2, 0, 1, 2])


@settings(max_examples=400, **SETTINGS)
@given(st.sampled_from(["fit", "evaluate", "predict", "train_on_batch", "test_on_batch"]),
       st.booleans(), bad_values((6, F)))
def test_fit_evaluate_predict_refuse_bad_data_clearly(model, method, bad_y, value):
    fn = getattr(model, method)
    if method == "predict":
        args = (value,)
    else:
        args = (GOOD_X, value) if bad_y else (value, GOOD_Y)
    kwargs = {"verbose": 0} if method in ("fit", "evaluate", "predict") else {}
    out = _call(lambda *a: fn(*a, **kwargs), args, ("x", "y"))
    if out is not None and method == "predict":
        assert isinstance(out, np.ndarray) and out.shape[1:] == (3,)
