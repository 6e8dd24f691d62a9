"""Keras 3's layer protocol on retrograd.keras against real Keras 3 (PyTorch backend):
each snippet (a custom layer as the keras-io guides write them, a functional model,
symbolic tensors) runs on both, with the same weights (``set_weights``), and the
predictions, symbolic shapes and dtypes, weights' names/shapes/trainable flags,
``layer.losses``, ``summary()`` rows and error types are compared.

``K`` is the Keras module of one side (``keras`` or ``retrograd.keras``): a snippet is
a function of it, so the same code runs on both. Where retrograd differs on purpose,
the test says so (docs/keras.md lists the differences)."""
import math

import numpy as np
import pytest
from keras_parity import import_keras, value

import retrograd as rg
from retrograd import keras as rk
from retrograd.missing import NotSupportedError

keras, _ = import_keras("the layer protocol")

R = np.random.default_rng(0)
X3 = R.standard_normal((4, 3)).astype(np.float32)
X2 = R.standard_normal((4, 2)).astype(np.float32)


def both(snippet):
    """(Keras's result, retrograd's result) of ``snippet(K)``."""
    return snippet(keras), snippet(rk)


def same_values(a, b, tol=1e-5):
    np.testing.assert_allclose(value(a), value(b), rtol=tol, atol=tol)


def with_keras_weights(pair, build):
    """Build both models with ``build(K)``, copy Keras's weights into retrograd's."""
    k, r = both(build)
    r.set_weights(k.get_weights())
    return k, r


# -- custom layers as the keras-io guides write them ---------------------------------------

def linear(K, positional=False):
    class Linear(K.layers.Layer):
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            if positional:
                self.w = self.add_weight((input_shape[-1], self.units), "random_normal")
            else:
                self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                         initializer="random_normal", trainable=True)
            self.b = self.add_weight(shape=(self.units,), initializer="zeros",
                                     trainable=True)

        def call(self, inputs):
            return K.ops.matmul(inputs, self.w) + self.b

        def get_config(self):
            return {**super().get_config(), "units": self.units}
    return Linear


def weight_table(layer):
    return [(tuple(w.shape), str(w.dtype), bool(w.trainable)) for w in layer.weights]


@pytest.mark.parametrize("positional", [False, True])
def test_linear_layer_with_add_weight(positional):
    k, r = both(lambda K: linear(K, positional)(4))
    assert not k.built and not r.built and r.weights == []
    yk, yr = k(X3), r(X3)
    assert r.built and weight_table(k) == weight_table(r) == [((3, 4), "float32", True),
                                                              ((4,), "float32", True)]
    r.set_weights(k.get_weights())
    same_values(k(X3), r(X3))
    # Deliberate difference: an unnamed weight is "variable", "variable_1", … within
    # its layer; Keras numbers them across the whole session ("variable_7").
    assert [w.name for w in r.weights] == ["variable", "variable_1"]
    assert all(w.name.startswith("variable") for w in k.weights)
    assert [w.path for w in r.weights] == ["linear/variable", "linear/variable_1"]
    assert value(yr).shape == value(yk).shape == (4, 4)
    assert isinstance(r.w, rk.Variable) and r.w is r.weights[0]
    # Each weight once: the attribute (self.w) does not register it a second time.
    assert [n for n, _ in r.named_parameters()] == ["variable", "variable_1"]


def test_non_trainable_weights():
    def make(K):
        class Counter(K.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="ones")
                self.total = self.add_weight(shape=(), initializer="zeros",
                                             trainable=False, name="total")

            def call(self, x):
                self.total.assign_add(K.ops.sum(x))
                return K.ops.matmul(x, self.w)
        layer = Counter()
        layer(X3)
        layer(X3)
        return layer
    k, r = both(make)
    assert [w.name for w in k.non_trainable_weights] == \
        [w.name for w in r.non_trainable_weights] == ["total"]
    assert len(r.trainable_weights) == len(k.trainable_weights) == 1
    same_values(k.total.numpy(), r.total.numpy())
    assert r.total.requires_grad is False and r.w.requires_grad is True


def test_weights_order_trainable_first_then_sublayers():
    def make(K):
        Linear = linear(K)

        class Block(K.layers.Layer):
            def __init__(self):
                super().__init__()
                self.first = Linear(3)
                self.stack = [Linear(2), Linear(5)]        # a list of layers is tracked

            def build(self, input_shape):
                self.frozen = self.add_weight(shape=(1,), initializer="ones",
                                              trainable=False)
                self.scale = self.add_weight(shape=(1,), initializer="ones")

            def call(self, x):
                h = self.first(x) * self.scale * self.frozen
                return self.stack[1](self.stack[0](h))
        block = Block()
        block(X3)
        return block
    k, r = both(make)
    assert weight_table(k) == weight_table(r)
    assert [tuple(w.shape) for w in k.trainable_weights] == \
        [tuple(w.shape) for w in r.trainable_weights]
    r.set_weights(k.get_weights())
    same_values(k(X3), r(X3))
    assert r.count_params() == k.count_params() == 1 + 1 + 12 + 8 + 15


def test_trainable_false_on_a_sublayer():
    def make(K):
        Linear = linear(K)
        outer = K.Sequential([K.Input((3,)), Linear(4), Linear(2)])
        outer.layers[0].trainable = False
        return outer
    k, r = both(make)
    assert [tuple(w.shape) for w in k.trainable_weights] == \
        [tuple(w.shape) for w in r.trainable_weights] == [(4, 2), (2,)]
    assert len(r.non_trainable_weights) == len(k.non_trainable_weights) == 2


# -- losses ------------------------------------------------------------------------------

def activity(K):
    class ActivityRegularization(K.layers.Layer):
        def __init__(self, rate=1e-2):
            super().__init__()
            self.rate = rate

        def call(self, inputs):
            self.add_loss(self.rate * K.ops.sum(inputs))
            return inputs
    return ActivityRegularization


def test_add_loss_reset_at_each_call():
    def run(K):
        layer = activity(K)()
        layer(X3)
        first = [float(value(t)) for t in layer.losses]
        layer(X3 * 2)
        second = [float(value(t)) for t in layer.losses]
        layer(K.Input((3,)))                     # a symbolic call adds no loss
        return first, second, len(layer.losses)
    k, r = both(run)
    np.testing.assert_allclose(k[0], r[0], rtol=1e-5)
    np.testing.assert_allclose(k[1], r[1], rtol=1e-5)
    assert len(r[1]) == 1 and k[2] == r[2] == 0


def test_nested_losses_and_model_losses():
    def run(K):
        Act = activity(K)

        class Outer(K.layers.Layer):
            def __init__(self):
                super().__init__()
                self.inner = Act(0.5)
                self.dense = K.layers.Dense(2, kernel_regularizer=K.regularizers.L2(0.1),
                                            kernel_initializer="ones")

            def build(self, input_shape):
                self.v = self.add_weight(shape=(2,), initializer="ones",
                                         regularizer=K.regularizers.L1(0.3))

            def call(self, x):
                return self.dense(self.inner(x)) * self.v
        x = K.Input((3,))
        model = K.Model(x, Outer()(x))
        model(X3)
        return model, [float(value(t)) for t in model.losses]
    (_km, kl), (_rm, rl) = both(run)
    np.testing.assert_allclose(sorted(kl), sorted(rl), rtol=1e-5)
    assert len(rl) == 3


def test_add_loss_joins_the_training_loss():
    def run(K):
        x = K.Input((3,))
        model = K.Model(x, activity(K)(0.1)(linear(K)(2)(x)))
        model.compile(optimizer="sgd", loss="mse")
        return model
    k, r = both(run)
    r.set_weights(k.get_weights())
    y = np.zeros((4, 2), np.float32)
    lk, lr = k.evaluate(X3, y, verbose=0), r.evaluate(X3, y, verbose=0)
    out = value(k.predict(X3, verbose=0))
    # The evaluated loss is the MSE plus the add_loss term 0.1·Σ out.
    np.testing.assert_allclose(lk, np.mean(out ** 2) + 0.1 * out.sum(), rtol=1e-4)
    np.testing.assert_allclose(lr, lk, rtol=1e-5, atol=1e-7)


def test_subclassed_model_keeps_the_losses_of_every_call():
    """A layer called twice inside a subclassed model's call adds a loss each time;
    model.losses holds both, and fit's loss is Keras's (it kept only the last before)."""
    def run(K):
        class Model(K.Model):
            def __init__(self):
                super().__init__()
                self.act, self.dense = activity(K)(0.1), K.layers.Dense(3)

            def call(self, x):
                return self.act(self.dense(self.act(x)))

        model = Model()
        model(X3)
        return model
    k, r = both(run)
    r.set_weights(k.get_weights())
    assert len(r.losses) == len(k.losses) == 2
    for m in (k, r):
        m.compile(optimizer="sgd", loss="mse")
    y = np.zeros((4, 3), np.float32)
    hk = k.fit(X3, y, epochs=3, batch_size=4, shuffle=False, verbose=0).history["loss"]
    hr = r.fit(X3, y, epochs=3, batch_size=4, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(hr, hk, rtol=1e-5)


def test_weight_regularizer_in_losses():
    def run(K):
        class Reg(K.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="ones",
                                         regularizer="l2")

            def call(self, x):
                return K.ops.matmul(x, self.w)
        layer = Reg()
        layer(X3)
        return [float(value(t)) for t in layer.losses], layer
    (kl, _k), (rl, r) = both(run)
    np.testing.assert_allclose(kl, rl, rtol=1e-6)
    assert r.w.regularizer is not None


def test_activity_regularizer_argument():
    def run(K):
        layer = K.layers.Dense(2, kernel_initializer="ones",
                               activity_regularizer=K.regularizers.L2(0.01))
        layer(X3)
        return [float(value(t)) for t in layer.losses]
    k, r = both(run)
    np.testing.assert_allclose(k, r, rtol=1e-5)


# -- symbolic calls --------------------------------------------------------------------

def test_custom_layer_in_a_functional_model_gets_its_output_shape():
    def run(K):
        class Project(K.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 7))

            def call(self, x):
                return K.ops.reshape(K.ops.matmul(x, self.w), (-1, 7, 1))
        x = K.Input((3,))
        y = Project()(x)
        model = K.Model(x, y)
        return model, y
    (km, ky), (rm, ry) = both(run)
    assert tuple(ky.shape) == tuple(ry.shape) == (None, 7, 1)
    assert str(ky.dtype) == ry.dtype == "float32"
    rm.set_weights(km.get_weights())
    same_values(km.predict(X3, verbose=0), rm.predict(X3, verbose=0))


def test_sequential_custom_layer_output_shape():
    def run(K):
        class Double(K.layers.Layer):
            def call(self, x):
                return K.ops.concatenate([x, x], axis=-1)
        model = K.Sequential([K.Input((3,)), Double(), K.layers.Dense(2)])
        if K is rk:     # see the report: a Sequential's layers have no .output yet
            return [tuple(layer.output_shape) for layer in model.layers]
        return [tuple(layer.output.shape) for layer in model.layers]
    k, r = both(run)
    assert k == r == [(None, 6), (None, 2)]


def test_multi_input_layer_list_and_dict():
    def run(K):
        class Mix(K.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[0][-1] + input_shape[1][-1], 2))

            def call(self, inputs):
                return K.ops.matmul(K.ops.concatenate(inputs, axis=-1), self.w)

        class Dict(K.layers.Layer):
            def call(self, d):
                return d["a"] * 2.0 + K.ops.sum(d["b"], axis=-1, keepdims=True)
        a, b = K.Input((3,)), K.Input((2,))
        mixed = Mix()([a, b])
        both_ = Dict()({"a": a, "b": b})
        model = K.Model([a, b], [mixed, both_])
        return model, mixed, both_
    (km, k1, k2), (rm, r1, r2) = both(run)
    assert tuple(k1.shape) == tuple(r1.shape) == (None, 2)
    assert tuple(k2.shape) == tuple(r2.shape) == (None, 3)
    rm.set_weights(km.get_weights())
    for ok, orr in zip(km.predict([X3, X2], verbose=0), rm.predict([X3, X2], verbose=0)):
        same_values(ok, orr)


def test_layer_with_two_positional_inputs():
    def run(K):
        class Pair(K.layers.Layer):
            def call(self, a, b):
                return a[:, :2] * b
        a, b = K.Input((3,)), K.Input((2,))
        out = Pair()(a, b)
        return K.Model([a, b], out), out
    (km, ko), (rm, ro) = both(run)
    assert tuple(ko.shape) == tuple(ro.shape) == (None, 2)
    same_values(km.predict([X3, X2], verbose=0), rm.predict([X3, X2], verbose=0))


def test_dict_inputs_by_key():
    def run(K):
        a, b = K.Input((3,)), K.Input((2,))
        out = K.layers.Concatenate()([a, b])
        model = K.Model({"a": a, "b": b}, out)
        return model({"a": X3, "b": X2})
    k, r = both(run)
    same_values(k, r)


def test_operators_on_keras_tensors():
    def run(K):
        x, y = K.Input((3,)), K.Input((3,))
        z = x + 1.0
        z += y                                   # x += y rebinds to a new KerasTensor
        outs = [z, x - y, 2.0 - x, x * y, x / 2.0, x ** 2, -x, x[:, 0:2],
                x @ np.ones((3, 5), np.float32), K.ops.sum(x, axis=-1, keepdims=True),
                K.ops.concatenate([x, y], axis=-1), K.ops.argmax(x, axis=-1)]
        model = K.Model([x, y], outs)
        return outs, model.predict([X3, X3 * 3], verbose=0)
    (ko, kv), (ro, rv) = both(run)
    assert [tuple(t.shape) for t in ko] == [tuple(t.shape) for t in ro]
    assert [str(t.dtype) for t in ko] == [str(t.dtype) for t in ro]
    for a, b in zip(kv, rv):
        same_values(a, b)


def test_model_and_layer_inputs_outputs():
    def run(K):
        x = K.Input((3,), name="features")
        layer = linear(K)(4, name="lin")
        y = layer(x)
        model = K.Model(x, y)
        return [tuple(t.shape) for t in (model.input, model.output, layer.input,
                                         layer.output, *model.inputs, *model.outputs)], \
            model.input is x, model.output is y, layer.input is x, layer.output is y
    k, r = both(run)
    assert k == r
    assert k[0] == [(None, 3), (None, 4), (None, 3), (None, 4), (None, 3), (None, 4)]


def test_training_argument_is_passed_when_call_takes_it():
    def run(K):
        class Train(K.layers.Layer):
            def call(self, x, training=None):
                return x * 2.0 if training else x
        x = K.Input((3,))
        model = K.Model(x, Train()(x))
        return model(X3, training=True), model(X3, training=False), \
            model.predict(X3, verbose=0)
    k, r = both(run)
    for a, b in zip(k, r):
        same_values(a, b)


def test_build_called_once_with_the_input_shape():
    def run(K):
        seen = []

        class Probe(K.layers.Layer):
            def build(self, input_shape):
                seen.append(tuple(input_shape))

            def call(self, x):
                return x
        layer = Probe()
        layer(X3)
        layer(X3)
        return seen, layer.built
    (ks, kb), (rs, rb) = both(run)
    assert len(ks) == len(rs) == 1 and kb and rb
    # Deliberate difference: Keras builds an eagerly called layer with the batch size
    # of the first input ((4, 3)); retrograd with the batch axis as None ((None, 3)),
    # as for a symbolic call, so a layer's weights never depend on the batch.
    assert ks[0][1:] == rs[0][1:] == (3,) and rs[0][0] is None


def test_summary_rows_with_a_custom_layer():
    def run(K):
        x = K.Input((3,), name="features")
        h = linear(K)(5, name="lin")(x)
        model = K.Model(x, K.layers.Dense(2, name="out")(h))
        lines = []
        model.summary(print_fn=lambda s, **kw: lines.append(s))
        text = "\n".join(lines)
        return [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines()
                if line.startswith("│")], [l for l in text.splitlines() if "params" in l]
    (krows, ktotal), (rrows, rtotal) = both(run)
    assert krows == rrows
    assert ktotal == rtotal


def test_summary_rows_of_operations_on_keras_tensors():
    def run(K):
        K.backend.clear_session(free_memory=False)      # Keras numbers op names per session
        x, y = K.Input((3,), name="x"), K.Input((3,), name="y")
        z = K.ops.concatenate([x + y, x], axis=-1)[:, :4] * 2.0
        model = K.Model([x, y], K.layers.Dense(2, name="d")(z))
        lines = []
        model.summary(print_fn=lambda s, **kw: lines.append(s))
        return [line for line in "\n".join(lines).splitlines() if line.startswith("│")], \
            layer_dtypes(K, model)
    (k, kd), (r, rd) = both(run)
    assert k == r and kd == rd


def layer_dtypes(K, model):
    return [(layer.dtype if isinstance(layer.dtype, str) else layer.dtype_policy.name)
            for layer in model.layers]


# -- configuration -------------------------------------------------------------------------

def test_get_config_from_config_round_trip():
    def run(K):
        Linear = linear(K)
        layer = Linear(6, name="proj")
        config = layer.get_config()
        again = Linear.from_config(config)
        again(X3)
        return config, again
    (kc, ka), (rc, ra) = both(run)
    assert {"name", "trainable", "dtype", "units"} <= set(kc) and \
        {"name", "trainable", "dtype", "units"} <= set(rc)
    for key in ("name", "trainable", "units"):
        assert kc[key] == rc[key]
    assert ra.units == ka.units == 6 and ra.name == "proj"
    # Keras writes the dtype as a DTypePolicy dict; retrograd as its name; either
    # is accepted back.
    assert rc["dtype"] == "float32"
    assert type(ra).from_config({**rc, "dtype": kc["dtype"]}).units == 6


def test_config_recorded_from_init_arguments():
    def run(K):
        class Scale(K.layers.Layer):            # no get_config: Keras records __init__'s
            def __init__(self, factor, offset=0.0, **kwargs):
                super().__init__(**kwargs)
                self.factor, self.offset = factor, offset

            def call(self, x):
                return x * self.factor + self.offset
        config = Scale(3.0, offset=1.0).get_config()
        return config, Scale.from_config(config)(X3)
    (kc, kv), (rc, rv) = both(run)
    assert kc["factor"] == rc["factor"] == 3.0 and kc["offset"] == rc["offset"] == 1.0
    same_values(kv, rv)


def test_functional_model_with_custom_layer_round_trips_by_config():
    Linear = linear(rk)
    x = rk.Input((3,))
    model = rk.Model(x, Linear(2, name="lin")(Linear(4)(x)))
    again = type(model).from_config(model.get_config(), custom_objects={"Linear": Linear})
    again.set_weights(model.get_weights())
    same_values(model.predict(X3, verbose=0), again.predict(X3, verbose=0))


# -- keras.Variable ------------------------------------------------------------------------

def test_variable_api():
    def run(K):
        v = K.Variable(initializer="zeros", shape=(3,), name="count", trainable=False)
        v.assign_add(np.ones(3, np.float32))
        v.assign_sub(np.full(3, 0.5, np.float32))
        w = K.Variable(np.arange(6, dtype=np.float32).reshape(2, 3))
        w.assign(np.ones((2, 3), np.float32))
        return (v.name, tuple(v.shape), str(v.dtype), v.trainable, value(v.numpy()),
                tuple(w.shape), value(w.numpy()), str(K.Variable(np.ones(2)).dtype))
    k, r = both(run)
    for a, b in zip(k, r):
        if isinstance(a, np.ndarray):
            same_values(a, b)
        else:
            assert a == b
    dtype = rk.Variable(np.ones(2, np.float32)).dtype
    assert isinstance(dtype, str) and {"float32": 1}[dtype] == 1
    assert dtype == np.float32 and dtype.kind == "f" and dtype.itemsize == 4   # NumPy's too


def test_trained_weights_are_add_weight_variables():
    Linear = linear(rk)
    x = rk.Input((3,))
    model = rk.Model(x, Linear(1)(x))
    model.compile(optimizer="sgd", loss="mse")
    before = [w.copy() for w in model.get_weights()]
    model.fit(X3, np.ones((4, 1), np.float32), epochs=2, verbose=0)
    after = model.get_weights()
    assert all(np.abs(a - b).max() > 0 for a, b in zip(after, before))


def test_keras_backend_module():
    for name in ("floatx", "epsilon"):
        assert getattr(rk.backend, name)() == getattr(keras.backend, name)()
    assert rk.backend.clear_session() is None
    assert rk.backend.is_keras_tensor(rk.Input((2,)))
    # Deliberate difference: the backend's name is retrograd's array library.
    assert rk.backend.backend() == "numpy"


def test_lambda_layer():
    def run(K):
        x = K.Input((3,))
        y = K.layers.Lambda(lambda t: K.ops.concatenate([t, K.ops.square(t)], axis=-1))(x)
        return tuple(y.shape), K.Model(x, y).predict(X3, verbose=0)
    (ks, kv), (rs, rv) = both(run)
    assert ks == rs == (None, 6)
    same_values(kv, rv)


# -- errors --------------------------------------------------------------------------------

def test_error_types():
    def errors(K):
        found = []
        layer = linear(K)(2)
        for bad in (lambda: layer.add_weight("w", (3,)),            # name positionally
                    lambda: layer.add_loss(3.0)):                   # not a tensor
            with pytest.raises(Exception) as info:
                bad()
            found.append(info.type)
        return found
    assert both(errors)[0] == both(errors)[1] == [ValueError, ValueError]


def test_calling_on_a_wrong_shape():
    def run(K):
        layer = linear(K)(2)
        layer(X3)
        with pytest.raises(Exception) as info:
            layer(np.ones((4, 5), np.float32))
        return info
    k, r = both(run)
    # Deliberate difference: Keras's error is the backend's (torch's RuntimeError);
    # retrograd raises ValueError, naming the op and both shapes.
    assert k.type is RuntimeError and r.type is ValueError
    assert "(4, 5)" in str(r.value) and "(3, 2)" in str(r.value)


def test_symbolic_shape_that_cannot_be_computed_names_the_layer():
    def run(K):
        class Bad(K.layers.Layer):
            def call(self, x):
                return K.ops.matmul(x, K.ops.ones((5, 2)))
        with pytest.raises(Exception) as info:
            Bad(name="bad_layer")(K.Input((3,)))
        return info
    k, r = both(run)
    assert "bad" in str(k.value).lower() and "'bad_layer'" in str(r.value)
    # Deliberate difference: the type is retrograd's op error (ValueError) where Keras
    # gives the backend's (RuntimeError).
    assert r.type is ValueError


def test_add_weight_refuses_what_it_cannot_do():
    layer = linear(rk)(2)
    with pytest.raises(ValueError, match="constraint"):
        layer.add_weight(shape=(2,), constraint="no_such_constraint")
    with pytest.raises(ValueError, match=r"shape must be fully defined"):
        layer.add_weight(shape=(None, 2))


def test_activation_layer_settings_are_validated():
    # Issue 17 (deliberately stricter than Keras 3, which accepts NaN/inf here): the
    # error names the layer, the field, the value and the allowed range.
    layers = rk.layers
    cases = [(layers.ReLU, {"max_value": math.nan}, "max_value"),
             (layers.ReLU, {"negative_slope": math.inf}, "negative_slope"),
             (layers.ReLU, {"threshold": "abc"}, "threshold"),
             (layers.ReLU, {"negative_slope": -1.0}, "negative_slope"),
             (layers.LeakyReLU, {"negative_slope": "nan"}, "negative_slope"),
             (layers.LeakyReLU, {"negative_slope": math.inf}, "negative_slope"),
             (layers.ELU, {"alpha": "inf"}, "alpha"),
             (layers.ELU, {"alpha": math.inf}, "alpha")]
    for cls, kwargs, field in cases:
        with pytest.raises(ValueError, match=rf"{cls.__name__}: {field} must be .* "
                           rf"Received: {field}="):
            cls(**kwargs)
    assert layers.ReLU(max_value=math.inf).max_value == math.inf
    with pytest.raises(ValueError):
        keras.layers.ReLU(max_value=-1.0)       # the check both libraries make
    with pytest.raises(ValueError):
        layers.ReLU(max_value=-1.0)


def test_custom_layer_on_a_device(device):
    Linear = linear(rk)
    layer = Linear(2).to(device)        # weights made later by add_weight follow it
    x = rk.Input((3,))
    model = rk.Model(x, layer(x) * 2.0)     # the symbolic run uses stand-ins there
    assert layer.w.device == device and isinstance(layer.w, rk.Variable)
    layer.b.assign_add(np.ones(2, np.float32))      # NumPy values into the variable
    out = model(rg.tensor(X3, device=device))
    assert out.device == device
    expected = (X3 @ layer.w.numpy() + 1.0) * 2.0
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_fit_trains_add_weight_variables_with_add_loss_and_regularizers():
    def run(K):
        class Scaled(K.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="ones",
                                         regularizer=K.regularizers.L2(0.05))
                self.steps = self.add_weight(shape=(), initializer="zeros",
                                             trainable=False)

            def call(self, x):
                y = K.ops.matmul(x, self.w)
                self.add_loss(0.01 * K.ops.mean(K.ops.square(y)))
                return y
        x = K.Input((3,))
        model = K.Model(x, Scaled()(x))
        model.compile(optimizer=K.optimizers.SGD(0.1), loss="mse")
        return model
    k, r = both(run)
    r.set_weights(k.get_weights())
    y = R.standard_normal((4, 2)).astype(np.float32)
    hk = k.fit(X3, y, batch_size=2, epochs=2, shuffle=False, verbose=0).history
    hr = r.fit(X3, y, batch_size=2, epochs=2, shuffle=False, verbose=0).history
    np.testing.assert_allclose(hr["loss"], hk["loss"], rtol=1e-4)
    for a, b in zip(k.get_weights(), r.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-6)
    assert r.get_weights()[1] == 0.0            # the frozen weight did not move


def test_operations_refuse_to_be_saved(tmp_path):
    # Deliberate difference (for now): Keras 3 saves operations on KerasTensors in
    # the model's configuration; retrograd refuses by name rather than drop them.
    x = rk.Input((3,))
    model = rk.Model(x, rk.layers.Dense(2)(x + 1.0))
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense"]
    with pytest.raises(NotSupportedError, match="the operation 'add' on symbolic tensors"):
        model.get_config()
    with pytest.raises(NotSupportedError, match="cannot be saved"):
        model.save(tmp_path / "m.keras")


def test_config_of_unserializable_init_arguments_and_keyword_input():
    def run(K):
        class Wrap(K.layers.Layer):
            def __init__(self, inner, **kwargs):
                super().__init__(**kwargs)
                self.inner = inner

            def call(self, inputs):
                return self.inner(inputs)
        layer = Wrap(K.layers.Dense(2, kernel_initializer="ones"))
        with pytest.raises(Exception) as info:
            layer.get_config()          # a layer object is no plain value
        return info.type, layer(inputs=X3), layer.weights
    (kt, kv, kw), (rt, rv, rw) = both(run)
    assert kt is rt is NotImplementedError
    same_values(kv, rv)
    assert [tuple(w.shape) for w in kw] == [tuple(w.shape) for w in rw] == [(3, 2), (2,)]


def test_build_by_hand_and_a_variable_with_a_keras_tensor():
    def run(K):
        layer = linear(K)(2)
        layer.build((None, 3))                  # by hand: built, not built again later
        built, n = layer.built, len(layer.weights)
        layer(X3)
        return built, n, len(layer.weights)
    k, r = both(run)
    assert k == r == (True, 2, 2)
    offset = np.full((3,), 0.5, np.float32)
    with pytest.raises(ValueError, match="KerasTensor is symbolic"):
        keras.Variable(offset) + keras.Input((3,))
    # Deliberate difference: Keras refuses a variable on the left of an operator on a
    # KerasTensor; retrograd records the operation as with the variable on the right.
    x = rk.Input((3,))
    y = rk.Variable(offset) + x
    assert y.shape == (None, 3)
    same_values(rk.Model(x, y).predict(X3, verbose=0), X3 + offset)


def test_layers_appended_to_a_list_attribute_are_tracked():
    def make(K):
        class Blocks(K.layers.Layer):
            def __init__(self):
                super().__init__()
                self.blocks = []
                for units in (4, 3):
                    self.blocks.append(K.layers.Dense(units, activation="relu"))
                self.blocks += [K.layers.Dense(2)]

            def call(self, x):
                for block in self.blocks:
                    x = block(x)
                return x
        layer = Blocks()
        layer(X3)
        return layer
    k, r = both(make)
    assert weight_table(k) == weight_table(r) and len(r.weights) == 6
    r.set_weights(k.get_weights())
    same_values(k(X3), r(X3))


def test_built_in_weights_are_keras_variables():
    def run(K):
        dense, prelu = K.layers.Dense(2, name="fc"), K.layers.PReLU(name="act")
        prelu(dense(X3))
        return [(w.name, w.path, tuple(w.shape), str(w.dtype), w.trainable)
                for w in dense.weights + prelu.weights]
    k, r = both(run)
    assert k == r == [("kernel", "fc/kernel", (3, 2), "float32", True),
                      ("bias", "fc/bias", (2,), "float32", True),
                      ("alpha", "act/alpha", (2,), "float32", True)]


def test_sequential_inputs_outputs_and_a_feature_extractor():
    """The sequential-model guide's feature extractor: a Model from a Sequential's
    inputs to every layer's output, as in Keras (shapes, then values after
    set_weights); an unbuilt Sequential has no inputs (hasattr False, as Keras)."""
    def run(K):
        model = K.Sequential([K.Input((3,)), K.layers.Dense(4, activation="relu"),
                              K.layers.Dense(2)])
        features = K.Model(inputs=model.inputs,
                           outputs=[layer.output for layer in model.layers])
        return model, features
    (km, kf), (rm, rf) = both(run)
    assert rm.inputs[0].shape == km.inputs[0].shape == (None, 3)
    assert rm.input.shape == (None, 3)      # Keras 3.15's torch Sequential raises for .input
    assert [tuple(o.shape) for o in rf.outputs] == [tuple(o.shape) for o in kf.outputs]
    rm.set_weights(km.get_weights())
    for ours, theirs in zip(rf(X3), kf(X3)):
        same_values(ours, theirs)
    assert not hasattr(rk.Sequential([rk.layers.Dense(2)]), "inputs")
    assert not hasattr(keras.Sequential([keras.layers.Dense(2)]), "inputs")


def test_integer_input_for_token_ids():
    """keras.Input(dtype="int32") feeding an Embedding, as text models do: the dtype
    and shapes are Keras's, and predictions agree after set_weights."""
    def run(K):
        x = K.Input((5,), dtype="int32")
        h = K.layers.Embedding(50, 4)(x)
        return x, K.Model(x, K.layers.Dense(1)(K.layers.Flatten()(h)))
    (kx, km), (rx, rm) = both(run)
    assert rx.dtype == kx.dtype == "int32"
    rm.set_weights(km.get_weights())
    ids = np.random.default_rng(0).integers(0, 50, (3, 5)).astype("int32")
    same_values(rm.predict(ids, verbose=0), km.predict(ids, verbose=0))
    with pytest.raises(ValueError, match="dtype must be 'float32', 'int32' or 'int64'"):
        rk.Input((5,), dtype="float16")


def test_a_model_called_directly_infers_as_keras():
    """Keras infers unless told training=True: a fresh model with Dropout called
    directly (the beginner quickstart's ``model(x_train[:1])``) gives the same
    deterministic values on both sides, a custom layer's ``training`` argument is
    falsy, and ``training=True`` drops units (then the model infers again)."""
    seen = {}

    def build(K):
        class Probe(K.layers.Layer):
            def call(self, x, training=None):
                seen[K.__name__] = training
                return x
        return K.Sequential([K.Input((6,)), K.layers.Dense(8), Probe(),
                             K.layers.Dropout(0.5), K.layers.Dense(3)])

    k, r = with_keras_weights(None, build)
    x = R.standard_normal((5, 6)).astype(np.float32)
    same_values(k(x), r(x))
    # Keras passes the signature's default (None) when nothing sets the mode,
    # retrograd the mode itself (False): both infer.
    assert seen == {"keras": None, "retrograd.keras": False}
    dropped = value(r(x, training=True))
    assert seen["retrograd.keras"] is True
    assert not np.allclose(dropped, value(k(x)), atol=1e-5)
    same_values(k(x), r(x))
    same_values(k.layers[-2](x[:, :3]), r.layers[-2](x[:, :3]))   # a layer on its own
