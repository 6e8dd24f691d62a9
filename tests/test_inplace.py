"""In-place changes follow PyTorch's rules (issue 14), checked against PyTorch itself:
each snippet runs on retrograd and on torch with the same inputs, and both give the
same values and gradients, or both raise the same kind of error."""
import numpy as np
import pytest

import retrograd as rg

torch = pytest.importorskip("torch")


def both(snippet):
    """Run ``snippet(lib)`` with retrograd and with torch; return both results (or
    the exception types raised)."""
    out = []
    for lib in (rg, torch):
        try:
            out.append(snippet(lib))
        except Exception as e:   # noqa: BLE001  (the type is what is compared)
            out.append(type(e))
    return out


def same(snippet, rtol=1e-6):
    ours, theirs = both(snippet)
    if isinstance(theirs, type):
        assert ours is theirs or (isinstance(ours, type) and issubclass(ours, theirs)), \
            (ours, theirs)
        return ours
    assert not isinstance(ours, type), f"retrograd raised {ours.__name__}, torch did not"
    for a, b in zip(_flat(ours), _flat(theirs)):
        a = a.numpy() if hasattr(a, "numpy") and not hasattr(a, "detach") else a
        b = b.detach().numpy() if hasattr(b, "detach") else b
        np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                                   rtol=rtol, atol=1e-7)
    return ours


def _flat(x):
    return list(x) if isinstance(x, (tuple, list)) else [x]


def leaf(lib, values):
    return lib.tensor(values, dtype=lib.float64, requires_grad=True)


def const(lib, values):
    return lib.tensor(values, dtype=lib.float64)


# -- allowed and refused ---------------------------------------------------------------

def test_leaf_requiring_grad_is_refused_outside_no_grad():
    def snippet(lib):
        w = leaf(lib, [1.0, 2.0])
        w -= 0.1
    assert same(snippet) is RuntimeError


@pytest.mark.parametrize("how", ["-=", "sub_", "add_alpha", "data"])
def test_manual_gradient_step(how):
    """The course's gradient step written by hand, four ways PyTorch tutorials write it."""
    def snippet(lib):
        w = leaf(lib, [1.0, -2.0, 3.0])
        x = const(lib, [0.5, 1.5, -1.0])
        for _ in range(3):
            ((w * x).sum() ** 2).backward()
            with lib.no_grad():
                if how == "-=":
                    w -= 0.1 * w.grad
                elif how == "sub_":
                    w.sub_(0.1 * w.grad)
                elif how == "add_alpha":
                    w.add_(w.grad, alpha=-0.1)
            if how == "data":
                w.data -= 0.1 * w.grad
            w.grad.zero_()
        return w, w.grad
    same(snippet)


def test_plain_tensors_change_in_place():
    def snippet(lib):
        y = const(lib, [1.0, 2.0, 3.0, 4.0])
        y += 1
        y *= const(lib, [2.0, 2.0, 2.0, 2.0])
        y /= 4
        y -= const(lib, [0.5, 0.5, 0.5, 0.5])
        y[0] = 10.0
        y[1:3] = const(lib, [7.0, 8.0])
        a = y.clone() if lib is torch else y * 1
        a.clamp_(min=7.5, max=9.0)
        b = const(lib, [0.0, 0.0, 0.0, 0.0]).fill_(3.0)
        c = const(lib, [1.0, 1.0, 1.0, 1.0]).copy_(const(lib, [5.0]))
        d = const(lib, [1.0, 2.0]).mul_(3).div_(2).add_(1).sub_(1, alpha=2).pow_(2)
        return y, a, b, c, d
    same(snippet)


def test_int_tensor_cannot_take_a_float_in_place():
    def snippet(lib):
        t = lib.tensor([1, 2, 3])
        t += 1.5
    assert same(snippet) is RuntimeError


def test_broadcast_into_a_smaller_tensor_is_refused():
    def snippet(lib):
        t = const(lib, [1.0, 2.0])
        t += const(lib, [[1.0, 2.0], [3.0, 4.0]])
    assert same(snippet) is RuntimeError


def test_random_fills_keep_shape_dtype_and_range():
    t = rg.zeros(1000, dtype=rg.float64)
    t.uniform_(2.0, 3.0)
    assert t.dtype == np.float64 and 2.0 <= t.numpy().min() and t.numpy().max() < 3.0
    t.normal_(5.0, 0.1)
    assert abs(t.numpy().mean() - 5.0) < 0.05 and t._version == 2


# -- the version counter: no silently wrong gradient -------------------------------------

def test_saved_input_changed_after_forward_is_detected():
    def snippet(lib):
        a, c = leaf(lib, [1.0, 2.0]), const(lib, [3.0, 4.0])
        y = a * c
        c.mul_(2)                       # Mul saved c for ∂y/∂a
        y.sum().backward()
        return a.grad
    assert same(snippet) is RuntimeError


def test_saved_output_changed_under_no_grad_is_detected():
    def snippet(lib):
        a = leaf(lib, [1.0, 2.0])
        y = a.exp()                     # exp saves its output
        with lib.no_grad():
            y.add_(1)
        y.sum().backward()
    assert same(snippet) is RuntimeError


def test_change_of_a_view_is_seen_by_its_base():
    def snippet(lib):
        x = const(lib, [1.0, 2.0, 3.0])
        w = leaf(lib, [1.0, 1.0])
        v = x[0:2]
        y = w * v                       # saves v, a view of x
        x.zero_()
        y.sum().backward()
    assert same(snippet) is RuntimeError


def test_values_not_saved_may_change():
    def snippet(lib):
        a, c = leaf(lib, [1.0, 2.0]), const(lib, [3.0, 4.0])
        y = a + c                       # Add keeps neither input
        c.add_(1)
        y.sum().backward()
        return a.grad, y
    same(snippet)


def test_optimizer_step_counts_as_a_change():
    """A graph kept with retain_graph=True is refused after the step changed the
    weights it saved (it would otherwise give the gradient at the old weights)."""
    def snippet(lib):
        w, x = leaf(lib, [1.0, 2.0]), const(lib, [3.0, 4.0])
        loss = ((w * w) * x).sum()
        loss.backward(retain_graph=True)
        lib.optim.SGD([w], lr=0.1).step()
        loss.backward()
    assert same(snippet) is RuntimeError


# -- tensors with a history: the change enters the graph -----------------------------------

def test_in_place_on_a_tensor_with_history_is_differentiated():
    def snippet(lib):
        a, c = leaf(lib, [1.0, 2.0]), leaf(lib, [0.5, -1.0])
        b = a * 2
        b += a                          # b = 3a
        b *= c                          # b = 3ac (Mul needs b's old value)
        b[0] = c[1] * 5                 # b = (5 c₁, 3 a₁ c₁)
        b.sum().backward()
        return b, a.grad, c.grad
    same(snippet)


def test_constant_in_place_into_a_tensor_requiring_grad_only_through_the_other():
    def snippet(lib):
        a = leaf(lib, [1.0, 2.0])
        y = const(lib, [0.0, 0.0])
        y += a * a                      # y starts without a history
        y.sum().backward()
        return y, a.grad
    same(snippet)


def test_version_counter_counts_changes():
    t = rg.zeros(3)
    assert t._version == 0
    t += 1
    t[0] = 2
    t.zero_()
    assert t._version == 3
    v = t[1:]
    v.fill_(1.0)                       # a view shares its base's counter
    assert t._version == 4 and t.numpy().tolist() == [0.0, 1.0, 1.0]


def test_in_place_runs_on_the_datas_array_module(device):
    """The ufunc comes from the tensor's array module (CuPy on a GPU, never NumPy's
    on device data)."""
    x = rg.ones(3, device=device)
    x += 1
    x.mul_(rg.full((3,), 2.0, device=device)).clamp_(max=3.5).sub_(1, alpha=0.5)
    x[0] = 0.0
    assert x.device == ("cpu" if device == "cpu" else "cuda")
    np.testing.assert_allclose(x.numpy(), [0.0, 3.0, 3.0])
    assert x._version == 5
