"""The functional transforms of ``retrograd.autodiff``: grad, value_and_grad, vjp,
jvp (true forward mode), jacobian in both modes, gradcheck, and user-defined ops."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import retrograd as rg
from retrograd import Function, autodiff, engine

from harness import torch
from test_ops import CASES


def f_vector(x):
    """R³ → R²: a function mixing several ops."""
    return rg.stack([(x * x).sum(), (x.sin() * x[0]).exp().sum() / (1 + x[2] ** 2)])


X = np.array([0.3, -1.2, 0.7])


def test_grad_and_value_and_grad():
    g = autodiff.grad(lambda x: (x ** 3).sum())(X)
    np.testing.assert_allclose(g.numpy(), 3 * X ** 2)
    value, g = autodiff.value_and_grad(lambda x: (x ** 3).sum())(X)
    np.testing.assert_allclose(value.item(), (X ** 3).sum())
    assert not value.requires_grad


def test_grad_argnums():
    f = lambda a, b, c: (a * b + c).sum()  # noqa: E731
    ga, gc = autodiff.grad(f, argnums=(0, 2))(X, 2 * X, X)
    np.testing.assert_allclose(ga.numpy(), 2 * X)
    np.testing.assert_allclose(gc.numpy(), np.ones(3))
    gb = autodiff.grad(f, argnums=1)(X, 2 * X, X)
    np.testing.assert_allclose(gb.numpy(), X)


def test_grad_of_a_function_that_ignores_its_input_is_zero():
    g = autodiff.grad(lambda x, y: (y * 2).sum())(X, rg.tensor(X))
    np.testing.assert_array_equal(g.numpy(), np.zeros(3))


def test_grad_leaves_no_grad_on_user_tensors():
    x = rg.tensor(X, requires_grad=True)
    autodiff.grad(lambda t: (t * t).sum())(x)
    assert x.grad is None


def test_grad_refuses_non_scalar_and_non_tensor_outputs():
    with pytest.raises(ValueError, match=r"scalar, got shape \(3,\)"):
        autodiff.grad(lambda x: x * 2)(X)
    with pytest.raises(TypeError, match="must return a Tensor, got float"):
        autodiff.grad(lambda x: 1.0)(X)
    with pytest.raises(TypeError, match="floating point.*int64"):
        autodiff.grad(lambda x: x.sum())(np.arange(3))


def test_vjp_matches_the_analytic_pullback():
    y, pullback = autodiff.vjp(lambda a, b: a * b, X, 2 * X)
    np.testing.assert_allclose(y.numpy(), 2 * X * X)
    v = np.array([1.0, -1.0, 2.0])
    ga, gb = pullback(v)
    np.testing.assert_allclose(ga.numpy(), v * 2 * X)
    np.testing.assert_allclose(gb.numpy(), v * X)
    # the pullback can be called again (the graph is retained)
    np.testing.assert_allclose(pullback(2 * v)[0].numpy(), 2 * v * 2 * X)
    with pytest.raises(ValueError, match=r"cotangent of shape \(2,\).*\(3,\)"):
        pullback(np.ones(2))


def test_jvp_matches_the_analytic_directional_derivative():
    t = np.array([1.0, 0.0, -1.0])
    y, dy = autodiff.jvp(lambda x: x.exp() * x, (X,), (t,))
    np.testing.assert_allclose(y.numpy(), np.exp(X) * X)
    np.testing.assert_allclose(dy.numpy(), (np.exp(X) * X + np.exp(X)) * t)
    with pytest.raises(ValueError, match="2 primals but 1 tangents"):
        autodiff.jvp(lambda a, b: a * b, (X, X), (t,))
    with pytest.raises(ValueError, match=r"tangent of shape \(2,\).*\(3,\)"):
        autodiff.jvp(lambda x: x, (X,), (np.ones(2),))


def test_jvp_is_true_forward_mode(monkeypatch):
    """jvp pushes tangents through each op's jvp rule: no backward pass runs."""
    def forbidden(*args, **kwargs):
        raise AssertionError("jvp ran a backward pass")
    monkeypatch.setattr(engine, "backward", forbidden)
    monkeypatch.setattr(Function, "backward", forbidden)
    _, dy = autodiff.jvp(f_vector, (X,), (np.ones(3),))
    assert dy.shape == (2,)


def test_jvp_of_a_constant_function_is_zero():
    _, dy = autodiff.jvp(lambda x: rg.ones(2, dtype="float64") * 3, (X,), (X,))
    np.testing.assert_array_equal(dy.numpy(), [0.0, 0.0])


def test_jacobian_both_modes_agree_with_the_analytic_one():
    expected = np.diag(np.cos(X))
    for mode in ("rev", "fwd"):
        jac = autodiff.jacobian(lambda x: x.sin(), X, mode=mode)
        assert jac.shape == (3, 3)
        np.testing.assert_allclose(jac.numpy(), expected, atol=1e-15)
    with pytest.raises(ValueError, match="mode must be 'rev' or 'fwd', got 'sideways'"):
        autodiff.jacobian(lambda x: x, X, mode="sideways")


def test_jacobian_shape_is_output_shape_then_input_shape():
    x = np.arange(6.0).reshape(2, 3)
    for mode in ("rev", "fwd"):
        jac = autodiff.jacobian(lambda t: t.sum(axis=0), x, mode=mode)
        assert jac.shape == (3, 2, 3)
        np.testing.assert_array_equal(jac.numpy()[1], [[0, 1, 0], [0, 1, 0]])


def test_jacobian_agrees_with_pytorch():
    if torch is None:
        pytest.skip("PyTorch is not installed")
    from torch.autograd.functional import jacobian as torch_jacobian
    ours = autodiff.jacobian(f_vector, X).numpy()
    theirs = torch_jacobian(lambda x: torch.stack([(x * x).sum(), (x.sin() * x[0]).exp().sum()
                                                   / (1 + x[2] ** 2)]), torch.tensor(X))
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=3, deadline=None, derandomize=True)
@given(d=st.data())
def test_jacobian_rev_equals_fwd_for_every_op(name, d):
    f, _, arrays = CASES[name](d)
    rest = [rg.tensor(a) for a in arrays[1:]]
    g = lambda x: f(x, *rest)  # noqa: E731  (differentiate in the first input)
    rev = autodiff.jacobian(g, arrays[0], mode="rev").numpy()
    fwd = autodiff.jacobian(g, arrays[0], mode="fwd").numpy()
    np.testing.assert_allclose(rev, fwd, rtol=1e-12, atol=1e-12)


def test_pass_counts_forward_one_per_input_reverse_one_per_output(monkeypatch):
    """The course's statement: forward mode needs one pass per input direction,
    reverse mode one forward pass and one backward pass per output."""
    calls, backwards = [0], [0]

    def f(x):
        calls[0] += 1
        return f_vector(x)

    real_backward = engine.backward

    def counting_backward(*args, **kwargs):
        backwards[0] += 1
        return real_backward(*args, **kwargs)

    monkeypatch.setattr(engine, "backward", counting_backward)
    x = np.linspace(-1, 1, 5)  # 5 inputs, 2 outputs
    fwd = autodiff.jacobian(f, x, mode="fwd")
    assert (calls[0], backwards[0]) == (5, 0)
    calls[0] = 0
    rev = autodiff.jacobian(f, x, mode="rev")
    assert (calls[0], backwards[0]) == (1, 2)
    np.testing.assert_allclose(fwd.numpy(), rev.numpy(), rtol=1e-12)


# -- gradcheck -------------------------------------------------------------------------
class WrongSquare(Function):
    """y = x², with a backward that is wrong at every element but the first."""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, gy):
        g = 2 * self.x * gy
        g.reshape(-1)[1:] *= 1.5
        return g

    def jvp(self, dx):
        return 2 * self.x * dx


def test_gradcheck_passes_on_a_correct_function():
    report = autodiff.gradcheck(lambda a, b: (a * b).sin(), (X, X + 1))
    assert report and report.ok
    assert "ok" in repr(report)


def test_gradcheck_names_the_input_and_index_of_the_worst_mismatch():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    report = autodiff.gradcheck(lambda x, w: x + WrongSquare().apply(w), (a, a))
    assert not report
    i, index, analytic, numeric, err = report.worst
    assert i == 1 and index != (0, 0)  # w's backward is wrong everywhere but w[0, 0]
    assert abs(analytic - numeric) == err > 1
    assert "MISMATCH" in repr(report) and "input 1" in repr(report)
    assert f"index {index}" in repr(report)


def test_gradcheck_uses_float64_for_float32_inputs():
    report = autodiff.gradcheck(lambda x: x.exp(), rg.tensor([0.1, 0.2]))
    assert report


def test_a_user_defined_op_as_documented():
    """The docstring's recipe: forward, backward and jvp side by side."""
    class Square(Function):
        def forward(self, x):
            self.x = x
            return x * x

        def backward(self, gy):
            return 2 * self.x * gy

        def jvp(self, dx):
            return 2 * self.x * dx

    x = rg.tensor([3.0], requires_grad=True)
    Square().apply(x).sum().backward()
    assert x.grad.item() == 6.0
    assert autodiff.gradcheck(lambda t: Square().apply(t), (X,))
    _, dy = autodiff.jvp(lambda t: Square().apply(t), (X,), (np.ones(3),))
    np.testing.assert_allclose(dy.numpy(), 2 * X)


def test_missing_rules_are_reported_by_op_name():
    class Forward(Function):
        def forward(self, x):
            return x + 1

    x = rg.tensor([1.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="Forward has no backward rule"):
        Forward().apply(x).sum().backward()
    with pytest.raises(NotImplementedError, match="Forward has no forward-mode"):
        autodiff.jvp(lambda t: Forward().apply(t), (X,), (X,))
