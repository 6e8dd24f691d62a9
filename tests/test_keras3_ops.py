"""retrograd.keras.ops against real Keras 3 (PyTorch backend) as the oracle: the same
call on both, compared in values, shapes and dtypes (by name), and for a subset in
gradients (retrograd's backward against torch autograd on Keras's result)."""
import os

import numpy as np
import pytest

import retrograd as rg
from retrograd import keras as rk
from retrograd.keras import ops as rops

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras", reason="real Keras 3 is needed as the oracle of "
                            "keras.ops (pip install keras; it runs on the PyTorch backend)")
torch = pytest.importorskip("torch", reason="Keras's PyTorch backend needs torch")
if keras.config.backend() != "torch":
    pytest.skip(f"Keras imported with backend {keras.config.backend()!r} before this module "
                "set KERAS_BACKEND=torch", allow_module_level=True)
kops = keras.ops

R = np.random.default_rng(0)
A = R.standard_normal((3, 4)).astype(np.float32)          # a matrix
B = R.standard_normal((4, 5)).astype(np.float32)
C = R.standard_normal((3, 4)).astype(np.float32)          # A's shape
P = (R.random((3, 4)) + 0.1).astype(np.float32)           # positive
T3 = R.standard_normal((2, 3, 4)).astype(np.float32)
I64 = np.array([[3, 1, 2], [0, 5, 4]])                    # int64
LABELS = np.array([0, 3, 1])
PROBS = np.exp(A) / np.exp(A).sum(-1, keepdims=True)
TARGET = np.eye(4, dtype=np.float32)[LABELS]
BIN = (R.random((3, 4)) > 0.5).astype(np.float32)


def _numpy(result):
    if isinstance(result, tuple):
        return result
    if isinstance(result, rg.Tensor):
        return np.asarray(result.array)
    return kops.convert_to_numpy(result)


def _dtype_name(result):
    if isinstance(result, rg.Tensor):
        return str(result.dtype)
    return str(result.dtype).replace("torch.", "")


# (name, function of the ops module, arguments); the same call on both sides.
CASES = [
    ("add", lambda o: o.add(A, C)), ("add_scalar", lambda o: o.add(A, 2.5)),
    ("add_int_float", lambda o: o.add(I64, 1.5)),
    ("subtract", lambda o: o.subtract(A, C)), ("multiply", lambda o: o.multiply(A, 3)),
    ("divide", lambda o: o.divide(A, P)), ("divide_ints", lambda o: o.divide(I64, 2)),
    ("negative", lambda o: o.negative(A)), ("power", lambda o: o.power(P, 2.5)),
    ("square", lambda o: o.square(A)), ("sqrt", lambda o: o.sqrt(P)),
    ("sqrt_int", lambda o: o.sqrt(I64)), ("exp", lambda o: o.exp(A)),
    ("exp_int", lambda o: o.exp(I64)), ("log", lambda o: o.log(P)),
    ("abs", lambda o: o.abs(A)), ("sign", lambda o: o.sign(A)),
    ("sin", lambda o: o.sin(A)), ("cos", lambda o: o.cos(A)), ("tanh", lambda o: o.tanh(A)),
    ("sigmoid", lambda o: o.sigmoid(A)), ("relu", lambda o: o.relu(A)),
    ("softmax", lambda o: o.softmax(A)), ("softmax_axis0", lambda o: o.softmax(A, axis=0)),
    ("log_softmax", lambda o: o.log_softmax(A)),
    ("logsumexp", lambda o: o.logsumexp(A)),
    ("logsumexp_axis", lambda o: o.logsumexp(A, axis=1, keepdims=True)),
    ("matmul", lambda o: o.matmul(A, B)), ("matmul_batched", lambda o: o.matmul(T3, B)),
    ("dot", lambda o: o.dot(A, B)), ("dot_vec", lambda o: o.dot(A[0], C[0])),
    ("maximum", lambda o: o.maximum(A, C)), ("maximum_scalar", lambda o: o.maximum(A, 0.0)),
    ("minimum", lambda o: o.minimum(A, C)), ("clip", lambda o: o.clip(A, -0.5, 0.5)),
    ("where", lambda o: o.where(A > 0, A, C)),
    ("where_scalar", lambda o: o.where(A > 0, A, 0.0)),
    ("sum", lambda o: o.sum(A)), ("sum_axis", lambda o: o.sum(A, axis=1)),
    ("sum_axes_keep", lambda o: o.sum(T3, axis=(0, 2), keepdims=True)),
    ("sum_int", lambda o: o.sum(I64, axis=0)), ("sum_bool", lambda o: o.sum(A > 0)),
    ("mean", lambda o: o.mean(A)), ("mean_axis", lambda o: o.mean(A, axis=0, keepdims=True)),
    ("mean_int", lambda o: o.mean(I64)),
    ("max", lambda o: o.max(A)), ("max_axis", lambda o: o.max(A, 1)),
    ("max_keep", lambda o: o.max(T3, axis=-1, keepdims=True)),
    ("min", lambda o: o.min(A)), ("min_axis", lambda o: o.min(A, axis=0)),
    ("max_int", lambda o: o.max(I64, axis=1)),
    ("argmax", lambda o: o.argmax(A)), ("argmax_axis", lambda o: o.argmax(A, axis=1)),
    ("argmin_axis", lambda o: o.argmin(A, axis=0)),
    ("std", lambda o: o.std(A)), ("std_axis", lambda o: o.std(A, axis=1)),
    ("var", lambda o: o.var(A)), ("var_axis", lambda o: o.var(A, axis=0, keepdims=True)),
    ("all", lambda o: o.all(A > -5)), ("all_axis", lambda o: o.all(A > 0, axis=1)),
    ("any", lambda o: o.any(A > 0)), ("any_axis", lambda o: o.any(A > 1, axis=0)),
    ("equal", lambda o: o.equal(I64, 2)), ("not_equal", lambda o: o.not_equal(A, C)),
    ("greater", lambda o: o.greater(A, C)), ("less", lambda o: o.less(A, 0.0)),
    ("greater_equal", lambda o: o.greater_equal(I64, 3)),
    ("less_equal", lambda o: o.less_equal(A, C)),
    ("reshape", lambda o: o.reshape(A, (2, -1))), ("reshape_flat", lambda o: o.reshape(A, -1)),
    ("transpose", lambda o: o.transpose(A)),
    ("transpose_axes", lambda o: o.transpose(T3, (1, 0, 2))),
    ("concatenate", lambda o: o.concatenate([A, C])),
    ("concatenate_axis", lambda o: o.concatenate([A, C], axis=-1)),
    ("stack", lambda o: o.stack([A, C])), ("stack_axis", lambda o: o.stack([A, C], axis=1)),
    ("expand_dims", lambda o: o.expand_dims(A, 1)),
    ("expand_dims_neg", lambda o: o.expand_dims(A, -1)),
    ("squeeze", lambda o: o.squeeze(A[:, None, :, None])),
    ("squeeze_axis", lambda o: o.squeeze(A[:, None, :, None], axis=1)),
    ("one_hot", lambda o: o.one_hot(LABELS, 4)),
    ("one_hot_axis0", lambda o: o.one_hot(LABELS, 5, axis=0)),
    ("one_hot_out_of_range", lambda o: o.one_hot(np.array([0, -1, 3]), 4)),
    ("cast", lambda o: o.cast(A, "int32")), ("cast_float64", lambda o: o.cast(A, "float64")),
    ("convert_float", lambda o: o.convert_to_tensor(1.5)),
    ("convert_int_list", lambda o: o.convert_to_tensor([1, 2, 3])),
    ("convert_array", lambda o: o.convert_to_tensor(I64)),
    ("convert_dtype", lambda o: o.convert_to_tensor([1, 2], dtype="float32")),
    ("shape", lambda o: o.shape(A)),
    ("ones", lambda o: o.ones((2, 3))), ("zeros", lambda o: o.zeros(3)),
    ("zeros_int", lambda o: o.zeros((2,), dtype="int32")),
    ("ones_like", lambda o: o.ones_like(A)), ("zeros_like", lambda o: o.zeros_like(I64)),
    ("full", lambda o: o.full((2, 2), 7)), ("full_like", lambda o: o.full_like(A, 2.0)),
    ("arange", lambda o: o.arange(5)), ("arange_step", lambda o: o.arange(1, 10, 3)),
    ("arange_float", lambda o: o.arange(0.0, 1.0, 0.25)),
    ("linspace", lambda o: o.linspace(0, 1, 5)),
    ("linspace_open", lambda o: o.linspace(-1, 1, 4, endpoint=False)),
    ("eye", lambda o: o.eye(3)), ("eye_rect", lambda o: o.eye(3, 4, k=1)),
    ("nn.relu", lambda o: o.nn.relu(A)), ("nn.sigmoid", lambda o: o.nn.sigmoid(A)),
    ("nn.softmax", lambda o: o.nn.softmax(A)), ("nn.log_softmax", lambda o: o.nn.log_softmax(A)),
    ("nn.gelu", lambda o: o.nn.gelu(A)),
    ("nn.gelu_exact", lambda o: o.nn.gelu(A, approximate=False)),
    ("nn.silu", lambda o: o.nn.silu(A)), ("nn.elu", lambda o: o.nn.elu(A)),
    ("nn.elu_alpha", lambda o: o.nn.elu(A, alpha=0.5)),
    ("nn.leaky_relu", lambda o: o.nn.leaky_relu(A)),
    ("nn.leaky_relu_slope", lambda o: o.nn.leaky_relu(A, negative_slope=0.1)),
    ("nn.one_hot", lambda o: o.nn.one_hot(LABELS, 4)),
    ("nn.categorical_crossentropy", lambda o: o.nn.categorical_crossentropy(TARGET, PROBS)),
    ("nn.categorical_crossentropy_logits",
     lambda o: o.nn.categorical_crossentropy(TARGET, A, from_logits=True)),
    ("nn.sparse_categorical_crossentropy",
     lambda o: o.nn.sparse_categorical_crossentropy(LABELS, PROBS)),
    ("nn.sparse_categorical_crossentropy_logits",
     lambda o: o.nn.sparse_categorical_crossentropy(LABELS, A, from_logits=True)),
    ("nn.binary_crossentropy",
     lambda o: o.nn.binary_crossentropy(BIN, 1 / (1 + np.exp(-A)))),
    ("nn.binary_crossentropy_logits",
     lambda o: o.nn.binary_crossentropy(BIN, A, from_logits=True)),
]


@pytest.mark.parametrize("name, call", CASES, ids=[c[0] for c in CASES])
def test_matches_keras(name, call):
    mine, theirs = call(rops), call(kops)
    if name == "shape":
        assert mine == tuple(theirs) and isinstance(mine, tuple)
        return
    assert isinstance(mine, rg.Tensor), f"{name}: returned {type(mine).__name__}"
    got, want = _numpy(mine), _numpy(theirs)
    assert got.shape == want.shape, f"{name}: shape {got.shape}, Keras {want.shape}"
    assert _dtype_name(mine) == _dtype_name(theirs), \
        f"{name}: dtype {_dtype_name(mine)}, Keras {_dtype_name(theirs)}"
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6, err_msg=name)


# Gradients: Σ w·f(x) with fixed weights w, backward on both sides.
GRAD_CASES = [
    ("matmul", lambda o, x: o.matmul(x, B)), ("divide", lambda o, x: o.divide(x, P)),
    ("square", lambda o, x: o.square(x)), ("exp", lambda o, x: o.exp(x)),
    ("sqrt", lambda o, x: o.sqrt(o.abs(x) + 1)), ("tanh", lambda o, x: o.tanh(x)),
    ("softmax", lambda o, x: o.softmax(x)), ("log_softmax", lambda o, x: o.log_softmax(x)),
    ("logsumexp", lambda o, x: o.logsumexp(x, axis=1)),
    ("mean", lambda o, x: o.mean(x, axis=0)), ("max", lambda o, x: o.max(x, axis=1)),
    ("var", lambda o, x: o.var(x, axis=1)), ("std", lambda o, x: o.std(x)),
    ("clip", lambda o, x: o.clip(x, -0.5, 0.5)),
    ("where", lambda o, x: o.where(x > 0, x, o.square(x))),
    ("maximum", lambda o, x: o.maximum(x, C)),
    ("reshape_transpose", lambda o, x: o.transpose(o.reshape(x, (2, 6)))),
    ("concatenate", lambda o, x: o.concatenate([x, o.multiply(x, 2.0)], axis=1)),
    ("expand_squeeze", lambda o, x: o.squeeze(o.expand_dims(x, 0))),
    ("sign_times_x", lambda o, x: o.multiply(o.sign(x), x)),
    ("gelu", lambda o, x: o.nn.gelu(x)), ("silu", lambda o, x: o.nn.silu(x)),
    ("elu", lambda o, x: o.nn.elu(x)), ("leaky_relu", lambda o, x: o.nn.leaky_relu(x)),
    ("categorical_crossentropy",
     lambda o, x: o.nn.categorical_crossentropy(TARGET, o.softmax(x))),
    ("categorical_crossentropy_logits",
     lambda o, x: o.nn.categorical_crossentropy(TARGET, x, from_logits=True)),
    ("sparse_categorical_crossentropy_logits",
     lambda o, x: o.nn.sparse_categorical_crossentropy(LABELS, x, from_logits=True)),
    ("binary_crossentropy", lambda o, x: o.nn.binary_crossentropy(BIN, o.sigmoid(x))),
    ("binary_crossentropy_logits",
     lambda o, x: o.nn.binary_crossentropy(BIN, x, from_logits=True)),
]


@pytest.mark.parametrize("name, call", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradient_matches_keras(name, call):
    x = rg.tensor(A, requires_grad=True)
    y = call(rops, x)
    w = np.linspace(0.5, 1.5, int(np.prod(y.shape)), dtype=np.float32).reshape(y.shape)
    (y * rg.tensor(w)).sum().backward()
    xt = torch.tensor(A, requires_grad=True)
    (call(kops, xt) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad.array), xt.grad.numpy(), rtol=1e-4,
                               atol=1e-6, err_msg=name)


def test_dot_of_nd_arrays_is_numpys_dot():
    # Keras documents NumPy's dot (its NumPy and JAX backends compute it); its PyTorch
    # backend computes matmul instead, so NumPy is the oracle here.
    b = R.standard_normal((2, 4, 3)).astype(np.float32)
    np.testing.assert_allclose(rops.dot(T3, b).array, np.dot(T3, b), rtol=1e-5, atol=1e-6)


def test_convert_to_numpy_gives_an_array():
    out = rops.convert_to_numpy(rops.add(A, 1.0))
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_allclose(out, A + 1)


def test_tensor_results_and_python_numbers():
    assert isinstance(rops.add(1, 2), rg.Tensor) and int(rops.add(1, 2).item()) == 3
    t = rg.tensor(A)
    assert rops.convert_to_tensor(t) is t


def test_symbolic_inputs_make_graph_nodes():
    """keras.ops on KerasTensors give KerasTensors of Keras's shapes (graph nodes)."""
    x, kx = rk.Input(shape=(4,)), keras.Input(shape=(4,))
    assert rops.shape(x) == (None, 4)
    for ours, theirs in ((rops.matmul(x, B), kops.matmul(kx, B)),
                         (rops.concatenate([x, x], axis=-1), kops.concatenate([kx, kx], -1)),
                         (rops.nn.gelu(x), kops.nn.gelu(kx)),
                         (rops.sum(x, axis=-1, keepdims=True), kops.sum(kx, -1, True))):
        assert isinstance(ours, rk.KerasTensor) and ours.shape == theirs.shape


def test_errors_name_the_function():
    with pytest.raises(ValueError, match=r"keras\.ops\.squeeze: axis 0 has size 3"):
        rops.squeeze(A, axis=0)
    with pytest.raises(ValueError, match=r"keras\.ops\.transpose: axes must be a permutation"):
        rops.transpose(A, (0, 0))
    with pytest.raises(TypeError, match=r"keras\.ops\.one_hot: x must hold integer"):
        rops.one_hot(A, 4)
    with pytest.raises(ValueError, match=r"keras\.ops\.where: give both x1 and x2"):
        rops.where(A > 0, A)


def test_module_is_reachable_from_retrograd_keras():
    assert rk.ops is rops and rk.ops.nn.gelu is rops.nn.gelu
