"""``retrograd.autograd``: PyTorch's custom Function (ctx, save_for_backward,
needs_input_grad, apply), autograd.grad and autograd.backward, checked against
PyTorch on the same snippets (issue 14)."""
import numpy as np
import pytest

import retrograd as rg
import retrograd.autograd  # noqa: F401  (rg.autograd)

torch = pytest.importorskip("torch")
LIBS = [rg, torch]


def run(snippet):
    out = []
    for lib in LIBS:
        try:
            out.append(snippet(lib))
        except Exception as e:  # noqa: BLE001
            out.append(type(e))
    return out


def close(ours, theirs, rtol=1e-10):
    ours = ours if isinstance(ours, (tuple, list)) else [ours]
    theirs = theirs if isinstance(theirs, (tuple, list)) else [theirs]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if b is None:
            assert a is None
            continue
        b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
        assert tuple(a.shape) == b.shape
        np.testing.assert_allclose(a.numpy(), b, rtol=rtol, atol=1e-12)


def legendre(lib):
    class LegendrePolynomial3(lib.autograd.Function):
        """P₃(x) = ½ (5x³ − 3x), P₃′(x) = 1.5 (5x² − 1): the custom-function tutorial."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return 0.5 * (5 * x ** 3 - 3 * x)

        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * x ** 2 - 1)
    return LegendrePolynomial3


def test_the_tutorial_fit_of_sin_with_a_legendre_polynomial():
    """The 'Learning PyTorch with examples' custom-function fit, 300 steps, same
    trajectory as PyTorch."""
    def snippet(lib):
        x = lib.tensor(np.linspace(-np.pi, np.pi, 200), dtype=lib.float64)
        y = lib.tensor(np.sin(np.linspace(-np.pi, np.pi, 200)), dtype=lib.float64)
        a, b, c, d = (lib.tensor(v, dtype=lib.float64, requires_grad=True)
                      for v in (0.0, -1.0, 0.0, 0.3))
        P3 = legendre(lib).apply
        for _ in range(300):
            y_pred = a + b * P3(c + d * x)
            loss = ((y_pred - y) ** 2).sum()
            loss.backward()
            with lib.no_grad():
                for p in (a, b, c, d):
                    p -= 5e-6 * p.grad
                    p.grad = None
        return loss, a, b, c, d
    ours, theirs = run(snippet)
    close(ours, theirs, rtol=1e-9)


def test_needs_input_grad_non_tensor_arguments_and_grad_count():
    def make(lib):
        class Scale(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k, w):
                ctx.k = k
                ctx.flags = ctx.needs_input_grad
                ctx.save_for_backward(w)
                return x * w * k

            @staticmethod
            def backward(ctx, g):
                w, = ctx.saved_tensors
                return g * w * ctx.k, None, None
        return Scale

    def snippet(lib):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([3.0, 4.0], dtype=lib.float64)
        y = make(lib).apply(x, 2.5, w)
        y.sum().backward()
        return x.grad, y
    ours, theirs = run(snippet)
    close(ours, theirs)

    flags = []

    class Record(rg.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, w):
            flags.append(ctx.needs_input_grad)
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, None, None
    Record.apply(rg.tensor([1.0], requires_grad=True), 2.0, rg.tensor([1.0]))
    assert flags == [(True, False, False)]


def test_wrong_number_of_gradients_is_a_runtime_error():
    def snippet(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * y

            @staticmethod
            def backward(ctx, g):
                return g          # one gradient for two inputs
        x = lib.tensor([1.0], requires_grad=True)
        Bad.apply(x, lib.tensor([2.0], requires_grad=True)).sum().backward()
    assert run(snippet) == [RuntimeError, RuntimeError]


def test_saved_tensor_changed_in_place_is_refused():
    def snippet(lib):
        P3 = legendre(lib).apply
        x = lib.tensor([0.5, 1.0], requires_grad=True)
        z = x * 1
        y = P3(z)
        with lib.no_grad():
            z.mul_(2)
        y.sum().backward()
    assert run(snippet) == [RuntimeError, RuntimeError]


def test_pytorch2_setup_context_and_non_differentiable_output():
    def snippet(lib):
        class Square(lib.autograd.Function):
            @staticmethod
            def forward(x):
                return x * x

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(inputs[0])

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 2 * x * g

        class ArgMax(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                out = (x == x.max()).to(x.dtype)
                ctx.mark_non_differentiable(out)
                return out

            @staticmethod
            def backward(ctx, g):
                return g * 0
        x = lib.tensor([1.0, 3.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = Square.apply(x)
        m = ArgMax.apply(x)
        (y * m).sum().backward()
        return x.grad, m, m.requires_grad
    ours, theirs = run(snippet)
    close(ours[:2], theirs[:2])
    assert ours[2] is theirs[2] is False


def test_autograd_grad():
    def snippet(lib):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([3.0, -1.0], dtype=lib.float64, requires_grad=True)
        u = lib.tensor([5.0], dtype=lib.float64, requires_grad=True)
        y = x * w
        gx, gw = lib.autograd.grad(y, (x, w), grad_outputs=lib.ones_like(y),
                                   retain_graph=True)
        (gu,) = lib.autograd.grad(y.sum(), [u], allow_unused=True)
        assert x.grad is None and w.grad is None     # grad() leaves .grad alone
        return gx, gw, gu
    ours, theirs = run(snippet)
    close(ours, theirs)


@pytest.mark.parametrize("case", ["unused", "non-scalar", "no grad"])
def test_autograd_grad_errors(case):
    def snippet(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        u = lib.tensor([1.0], requires_grad=True)
        if case == "unused":
            lib.autograd.grad((x * x).sum(), [x, u])
        elif case == "non-scalar":
            lib.autograd.grad(x * x, x)
        else:
            lib.autograd.grad((x * x).sum(), lib.tensor([1.0]))
    assert run(snippet) == [RuntimeError, RuntimeError]


def test_backward_into_chosen_inputs_only():
    def snippet(lib):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([3.0, -1.0], dtype=lib.float64, requires_grad=True)
        (x * w).sum().backward(inputs=[w])
        lib.autograd.backward([(x * x).sum(), (w * x).sum()], inputs=[x])
        return x.grad, w.grad
    ours, theirs = run(snippet)
    close(ours, theirs)


def test_higher_order_gradients_say_they_are_missing():
    x = rg.tensor([1.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="create_graph=True"):
        rg.autograd.grad((x * x).sum(), x, create_graph=True)
    with pytest.raises(NotImplementedError, match="higher-order"):
        (x * x).sum().backward(create_graph=True)


def test_several_differentiable_outputs_say_they_are_missing():
    class Two(rg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return 2 * g1 + 3 * g2
    with pytest.raises(NotImplementedError, match="several differentiable outputs"):
        Two.apply(rg.tensor([1.0], requires_grad=True))
    a, b = Two.apply(rg.tensor([1.0]))          # no gradient needed: plain values
    assert a.item() == 2 and b.item() == 3


def test_forward_mode_through_a_custom_function():
    from retrograd.autodiff import jvp

    class Cube(rg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 3 * x ** 2 * g

        @staticmethod
        def jvp(ctx, dx):
            x, = ctx.saved_tensors
            return 3 * x ** 2 * dx
    x = np.array([1.0, 2.0])
    y, dy = jvp(lambda t: Cube.apply(t), [x], [np.array([1.0, 0.5])])
    np.testing.assert_allclose(dy.numpy(), [3.0, 6.0])
