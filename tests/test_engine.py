"""Reverse mode's semantics: backward, accumulation, freed graphs, hooks, modes,
anomaly detection, and the errors a user meets."""
import threading

import numpy as np
import pytest

import retrograd as rg
from retrograd import AnomalyError


def leaf(values, dtype="float64"):
    return rg.tensor(values, dtype=dtype, requires_grad=True)


def test_course_example_f_equals_x_plus_y_times_z():
    """The course's graph: q = x + y, f = q·z with x=−2, y=5, z=−4."""
    x, y, z = leaf(-2.0), leaf(5.0), leaf(-4.0)
    q = x + y
    q.retain_grad()
    f = q * z
    f.backward()
    assert q.item() == 3 and f.item() == -12
    assert (x.grad.item(), y.grad.item(), z.grad.item()) == (-4, -4, 3)
    assert q.grad.item() == -4  # ∂f/∂q = z


def test_chain_of_100000_ops_needs_no_recursion():
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_deep_retained_graph_can_be_dropped():
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.backward(retain_graph=True)
    del y  # deallocating a 100,000-deep graph must not overflow the C stack
    assert x.grad.item() == 1.0


def test_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, 2.0])
    (x * x).sum().backward()
    (3 * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2 + 3, 4 + 3])


@pytest.mark.parametrize("reduce", [lambda t: t.sum(), lambda t: t.mean(),
                                    lambda t: t.max(), lambda t: t.broadcast_to((2, 3)).sum()])
def test_accumulated_grad_is_a_writable_array_of_its_own(reduce):
    """Reductions hand back broadcast (read-only, zero-stride) views; .grad must
    not be one, or the next accumulation and optimizers' in-place updates fail."""
    x = leaf([1.0, 2.0, 3.0])
    y = reduce(x)
    y.backward(retain_graph=True)
    assert x.grad.array.flags.writeable and 0 not in x.grad.array.strides
    first = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2 * first)


def test_second_backward_on_a_freed_graph_raises_clearly():
    x = leaf([1.0, 2.0])
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="already freed.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (x.exp() * 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 4 * np.exp([1.0, 2.0]))


def test_backward_frees_saved_buffers():
    x = leaf([1.0, 2.0])
    h = x.exp()
    op = h._op
    (h * h).sum().backward()
    assert op.freed and not hasattr(op, "y")


def test_non_scalar_backward_without_gradient_raises():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"shape \(2,\) is not a scalar.*gradient="):
        (x * 2).backward()


def test_non_scalar_backward_with_gradient():
    x = leaf([1.0, 2.0])
    (x * x).backward(rg.tensor([1.0, 10.0], dtype="float64"))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 40.0])
    with pytest.raises(ValueError, match=r"gradient has shape \(3,\), expected \(2,\)"):
        (x * x).backward(np.ones(3))


def test_backward_on_a_tensor_without_grad_raises():
    x = rg.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError,
                       match=r"shape \(2,\), dtype float32\) does not require grad"):
        (x * 2).backward(np.ones(2))


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = leaf([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    other = x * 4
    (h * h + other).sum().backward()
    np.testing.assert_array_equal(h.grad.numpy(), [6.0, 12.0])
    assert other.grad is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        rg.tensor([1.0]).retain_grad()


def test_detach_cuts_the_graph_and_shares_memory():
    x = leaf([1.0, 2.0])
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    y = (x * d).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])  # d is a constant
    h = x * 1.0
    assert np.shares_memory(h.detach().array, h.array)


def test_requires_grad_():
    x = rg.tensor([1.0])
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad
    with pytest.raises(TypeError, match="only floating-point.*int64"):
        rg.tensor([1, 2]).requires_grad_()
    with pytest.raises(TypeError, match="int64"):
        rg.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="only allowed on leaves"):
        (leaf([1.0]) * 2).requires_grad_(False)


def test_no_grad_records_nothing_and_is_scoped():
    x = leaf([1.0])
    with rg.no_grad():
        y = x * 2
        assert not rg.is_grad_enabled()
        with rg.enable_grad():
            z = x * 2
    assert rg.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    assert z.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_no_grad_is_restored_after_an_exception_and_works_as_decorator():
    with pytest.raises(KeyError):
        with rg.no_grad():
            raise KeyError
    assert rg.is_grad_enabled()

    @rg.no_grad()
    def infer(t):
        return t * 2

    assert not infer(leaf([1.0])).requires_grad
    assert rg.is_grad_enabled()
    with rg.set_grad_enabled(False):
        assert not (leaf([1.0]) * 2).requires_grad


def test_no_grad_is_thread_local():
    """A thread does not see another thread's no_grad."""
    inside, seen = threading.Event(), []
    release = threading.Event()

    def other():
        inside.wait()
        seen.append((leaf([1.0]) * 2).requires_grad)
        release.set()

    t = threading.Thread(target=other)
    t.start()
    with rg.no_grad():
        inside.set()
        release.wait(5)
        mine = (leaf([1.0]) * 2).requires_grad
    t.join()
    assert seen == [True] and mine is False


def test_hook_observes_the_gradient():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    (x * 3).sum().backward()
    np.testing.assert_array_equal(seen[0], [3.0, 3.0])


def test_hook_on_a_leaf_replaces_what_is_accumulated():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 2)
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])


def test_hook_replaces_the_gradient_and_can_be_removed():
    x = leaf([1.0, 2.0])
    h = x * 1.0
    handle = h.register_hook(lambda g: g * 10)
    (h * h).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [20.0, 40.0])
    handle.remove()
    x.grad = None
    h2 = x * 1.0
    h2.register_hook(lambda g: None)  # returning None keeps the gradient
    (h2 * h2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        rg.tensor([1.0]).register_hook(print)


def test_gradients_of_add_do_not_share_memory():
    """a + b hands one array to both inputs; their .grad must be separate."""
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()
    assert not np.shares_memory(a.grad.array, b.grad.array)
    a.grad.array *= 0
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])
    c, d = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (c + d).backward(np.array([5.0, 6.0]))
    assert not np.shares_memory(c.grad.array, d.grad.array)


def test_gradient_given_by_the_user_is_not_aliased():
    x = leaf([1.0, 2.0])
    v = np.array([1.0, 1.0])
    (x * 1.0).backward(v)
    x.grad.array += 1
    np.testing.assert_array_equal(v, [1.0, 1.0])


def test_a_tensor_used_twice_gets_the_sum_of_both_paths():
    x = leaf(3.0)
    y = x * x + x.exp() * x  # x reaches y through four edges
    y.backward()
    np.testing.assert_allclose(x.grad.item(), 2 * 3 + np.exp(3) * 4)


def test_leaf_gradient_keeps_the_leaf_dtype():
    x = rg.tensor([1.0, 2.0], requires_grad=True)
    (x.double() * 2).sum().backward()
    assert x.grad.dtype == np.float32


def test_constant_inputs_get_no_gradient():
    x, c = leaf([1.0]), rg.tensor([2.0], dtype="float64")
    (x * c).sum().backward()
    assert c.grad is None and x.grad.item() == 2.0


# -- anomaly mode ------------------------------------------------------------------
def test_anomaly_mode_names_the_op_and_line_of_a_nan_forward():
    x = leaf([-1.0, 1.0])
    with rg.detect_anomaly():
        with pytest.raises(AnomalyError, match=r"Log .*forward.*test_engine\.py:\d+") as e:
            with np.errstate(invalid="ignore"):
                x.log()  # the line the message must name
    assert "x.log()" in str(e.value)


def test_anomaly_mode_names_the_op_of_an_inf_backward():
    x = leaf([0.0, 4.0])
    with rg.detect_anomaly():
        y = x.sqrt().sum()  # √0 is finite, its derivative 1/(2√0) is not
        with pytest.raises(AnomalyError, match=r"Sqrt .*backward.*test_engine\.py:\d+.*sqrt"):
            with np.errstate(divide="ignore"):
                y.backward()


def test_anomaly_mode_stops_at_the_first_bad_op():
    x = leaf([0.0])
    with rg.detect_anomaly(), np.errstate(divide="ignore", invalid="ignore"):
        with pytest.raises(AnomalyError, match="^Div"):
            ((x / x) * 2).log()


def test_without_anomaly_mode_nan_passes_silently():
    x = leaf([-1.0])
    with np.errstate(invalid="ignore"):
        assert np.isnan(x.log().item())
    assert not isinstance(rg.detect_anomaly(), type(None))


# -- bad input -----------------------------------------------------------------------
def test_broadcast_mismatch_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"Add.*\(2, 3\).*\(4,\)"):
        rg.ones(2, 3) + rg.ones(4)
    with pytest.raises(ValueError, match=r"Mul.*\(2, 3\).*\(2,\)"):
        rg.ones(2, 3) * rg.ones(2)


def test_matmul_mismatch_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"MatMul.*\(2, 3\) @ \(4, 5\).*3 and 4"):
        rg.ones(2, 3) @ rg.ones(4, 5)
    with pytest.raises(ValueError, match=r"MatMul.*\(2, 2, 3\).*\(3, 3, 1\)"):
        rg.ones(2, 2, 3) @ rg.ones(3, 3, 1)
    with pytest.raises(ValueError, match="MatMul.*at least one dimension"):
        rg.ones(()) @ rg.ones(3)
    from retrograd.ops.matmul import linear
    with pytest.raises(ValueError, match=r"Linear.*\(2, 3\).*\(4, 5\)"):
        linear(rg.ones(2, 3), rg.ones(4, 5))


def test_reshape_mismatch_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"Reshape.*\(2, 3\).*6 elements.*\(4,\)"):
        rg.ones(2, 3).reshape(4)


def test_other_shape_errors_name_the_op():
    with pytest.raises(ValueError, match=r"Concatenate.*\(2, 3\).*\(2, 4\)"):
        rg.concatenate([rg.ones(2, 3), rg.ones(2, 4)])
    with pytest.raises(IndexError, match=r"GetItem.*\(2, 3\)"):
        rg.ones(2, 3)[5]
    with pytest.raises(ValueError, match=r"permute.*\(0, 0\).*\(2, 3\)"):
        rg.ones(2, 3).permute(0, 0)
    with pytest.raises(ValueError, match="axis 2 is out of range.*2 dimensions"):
        rg.ones(2, 3).sum(axis=2)
    with pytest.raises(IndexError, match=r"GetItem.*\(2,\).*integer"):
        rg.ones(2)[rg.tensor([0.0, 1.0])]
    with pytest.raises(TypeError, match="mul: unsupported operand of type dict"):
        rg.ones(2) * {}


class _Recorder(rg.Function):
    """y = a · b, recording what backward was told about its inputs."""
    seen = []

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, gy):
        _Recorder.seen.append(tuple(self.needs_input_grad))
        needs = self.needs_input_grad
        return (gy * self.b if needs[0] else None), (gy * self.a if needs[1] else None)

    def jvp(self, da, db):
        _Recorder.seen.append((self.needs_input_grad[0], self.needs_input_grad[1]))
        return da * self.b + self.a * db


def test_backward_is_told_which_inputs_need_a_gradient():
    _Recorder.seen.clear()
    a, b = leaf([1.0, 2.0]), rg.tensor([3.0, 4.0], dtype="float64")
    _Recorder().apply(a, b).sum().backward()
    _Recorder().apply(b, a).sum().backward()
    assert _Recorder.seen == [(True, False), (False, True)]
    np.testing.assert_array_equal(a.grad.numpy(), [6.0, 8.0])
    # Forward mode, outside any graph: every input has a tangent.
    _Recorder.seen.clear()
    from retrograd.autodiff import jvp
    jvp(lambda x: _Recorder().apply(x, b), [a.detach()], [np.ones(2)])
    assert _Recorder.seen == [(True, True)]


def test_the_engine_reads_like_the_chain_rule():
    """engine.py + function.py + one op explain backpropagation: no fast path
    (factored gradients, fused chains, reference counting) appears in them."""
    import inspect
    from retrograd import engine, function
    from retrograd.ops import arithmetic
    text = inspect.getsource(engine) + inspect.getsource(function) + \
        inspect.getsource(arithmetic.Mul)
    for word in ("Outer", "factored", "fast_paths", "Chain", "getrefcount", "input_owned"):
        assert word not in text, word


def test_a_stored_gradient_belongs_to_its_grad_alone():
    """Stored without a copy only when the engine owns the array (a sum it made, or an
    op that says its gradients are new arrays): never shared between two .grad, never
    the array a hook saw."""
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a * b).sum().backward()                     # Mul: fresh_grads
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    x = leaf([1.0, 2.0])
    (x + x).sum().backward()                     # Add hands gy to both: summed, owned
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])
    c, d = leaf([1.0]), leaf([1.0])
    (c + d).sum().backward()                     # Add's shared gy: each .grad its own
    c.grad.array += 5
    assert d.grad.item() == 1.0
    seen = []
    w = leaf([1.0, 2.0])
    w.register_hook(lambda g: seen.append(g))
    (w * b).sum().backward()
    seen[0].array[:] = 0                          # the hook kept its tensor
    np.testing.assert_array_equal(w.grad.numpy(), [3.0, 4.0])
