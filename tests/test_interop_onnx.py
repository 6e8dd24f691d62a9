"""retrograd.onnx.export: the exported model passes onnx.checker and onnxruntime gives
retrograd's outputs (≤ 1e-5), for nn and keras models, with a dynamic batch size."""
import io

import numpy as np
import pytest

import retrograd as rg
import retrograd.keras  # noqa: F401
from retrograd import nn

onnx = pytest.importorskip("onnx", reason="onnx not installed (pip install "
                           "retrograd[interop])")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime not installed (pip install "
                          "retrograd[interop])")

DYNAMIC = {"input": {0: "batch"}, "output": {0: "batch"}}


def _check(model, example, batches=(5,), atol=1e-5, **kwargs):
    """Export ``model`` on ``example``; run onnxruntime on batches of other sizes;
    compare with retrograd. Returns the ModelProto."""
    buf = io.BytesIO()
    proto = rg.onnx.export(model, example, buf, **kwargs)
    onnx.checker.check_model(proto, full_check=True)
    session = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    examples = example if isinstance(example, tuple) else (example,)
    rng = np.random.default_rng(0)
    for n in batches:
        xs = [rng.standard_normal((n,) + e.shape[1:]).astype(e.dtype) for e in examples]
        feeds = {i.name: x for i, x in zip(session.get_inputs(), xs)}
        with rg.no_grad():
            if hasattr(model, "eval"):
                model.eval()
            ours = model(*[rg.tensor(x) for x in xs]) if len(xs) == 1 or \
                not type(model).__module__.startswith("retrograd.keras") else \
                model([rg.tensor(x) for x in xs])
        ours = ours if isinstance(ours, (tuple, list)) else (ours,)
        theirs = session.run(None, feeds)
        for a, b in zip(ours, theirs):
            assert a.shape == b.shape
            np.testing.assert_allclose(b, a.numpy(), rtol=1e-5, atol=atol)
    return proto


def _x(*shape):
    return np.random.default_rng(1).standard_normal(shape).astype(np.float32)


def test_mlp_with_dynamic_batch_names_and_training_flag_restored(tmp_path):
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 3),
                          nn.Softmax(dim=-1))
    model.train()
    rg.onnx.export(model, _x(2, 4), io.BytesIO())
    assert model.training                       # export ran in eval mode, then restored
    proto = _check(model, _x(2, 4), batches=(1, 2, 7), dynamic_axes=DYNAMIC)
    assert [i.name for i in proto.graph.initializer] == ["0.weight", "0.bias", "3.weight",
                                                         "3.bias"]
    dim = proto.graph.input[0].type.tensor_type.shape.dim
    assert dim[0].dim_param == "batch" and dim[1].dim_value == 4
    path = tmp_path / "m.onnx"
    rg.onnx.export(model, rg.randn(3, 4), path, input_names=["x"], output_names=["probs"])
    loaded = onnx.load(path)
    assert [i.name for i in loaded.graph.input] == ["x"]
    assert [o.name for o in loaded.graph.output] == ["probs"]


def test_every_activation_module():
    # PyTorch's and Keras-named activations, each an op of retrograd: one model each,
    # the input spread over negative and positive values, beyond softplus's threshold.
    modules = [nn.ReLU(), nn.ReLU6(), nn.LeakyReLU(0.1), nn.Sigmoid(), nn.Tanh(),
               nn.Softmax(dim=1), nn.LogSoftmax(dim=-1), nn.ELU(0.7), nn.SELU(), nn.GELU(),
               nn.GELU("tanh"), nn.SiLU(), nn.Softplus(), nn.Softplus(beta=2.0,
                                                                      threshold=5.0),
               nn.Hardtanh(-0.5, 2.0), nn.Hardsigmoid(), nn.Hardswish(), nn.Softsign(),
               nn.Mish(), nn.LogSigmoid(), nn.Heaviside(), nn.PReLU(3), nn.Identity(),
               nn.Activation("exponential")]
    x = np.linspace(-30, 30, 2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    x[0, 0, :2] = [0.0, 1e-3]
    for m in modules:
        model = nn.Sequential(nn.Linear(4, 4), m, nn.Flatten())
        with rg.no_grad():
            model[0].weight.array[...] = np.eye(4)
            model[0].bias.array[...] = 0
        _check(model, x, batches=(2, 3), atol=1e-4 if isinstance(m, nn.Activation) else 1e-5,
               dynamic_axes=DYNAMIC)
    for opset in (13, 20):                       # GELU: decomposed, then ONNX's own Gelu
        proto = _check(nn.Sequential(nn.GELU()), x, batches=(2,), opset_version=opset)
        assert ("Gelu" in {n.op_type for n in proto.graph.node}) == (opset >= 20)


class _Residual(nn.Module):
    """A custom forward: nested modules, arithmetic, a reduction and a reshape."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(6, 6), nn.Tanh())
        self.scale = nn.Parameter(rg.tensor([0.5] * 6))
        self.head = nn.Dense(2, activation="sigmoid")

    def forward(self, x):
        h = x.reshape(x.shape[0], 6)
        h = h + self.body(h) * self.scale - h.mean(dim=1, keepdim=True) / 2.0
        h = rg.cat([h, (h ** 2).sum(dim=1, keepdim=True).sqrt(), h.var(dim=1, keepdim=True),
                    h.std(dim=1, keepdim=True), rg.logsumexp(h, 1).reshape(-1, 1),
                    h.amax(dim=1, keepdim=True), h.amin(dim=1, keepdim=True)], dim=1)
        return self.head(h.exp().log())


def test_nested_modules_with_a_custom_forward():
    model = _Residual()
    model(rg.tensor(_x(2, 2, 3)))                # builds the Dense layer
    for opset in (13, 18):         # reductions: axes as attributes, then as inputs
        proto = _check(model, _x(2, 2, 3), batches=(4,), dynamic_axes=DYNAMIC,
                       opset_version=opset)
    names = {i.name for i in proto.graph.initializer}
    assert {"scale", "body.0.weight", "head.kernel"} <= names


def test_keras_sequential_and_functional_models():
    keras = rg.keras
    layers = keras.layers
    seq = keras.Sequential([layers.Input(shape=(2, 3)), layers.Flatten(),
                            layers.Dense(8, activation="relu"), layers.Dropout(0.3),
                            layers.Dense(6, activation="gelu"), layers.Reshape((2, 3)),
                            layers.LeakyReLU(), layers.Flatten(), layers.ELU(),
                            layers.ReLU(max_value=0.5, negative_slope=0.1), layers.PReLU(),
                            layers.Dense(3), layers.Softmax()])
    _check(seq, _x(2, 2, 3), batches=(3,), dynamic_axes=DYNAMIC)

    a, b = layers.Input(shape=(4,)), layers.Input(shape=(4,))
    ha = layers.Dense(5, activation="tanh")(a)
    hb = layers.Dense(5, activation="swish")(b)
    merged = layers.Concatenate()([layers.Add()([ha, hb]), layers.Multiply()([ha, hb]),
                                   layers.Average()([ha, hb]), layers.Maximum()([ha, hb]),
                                   layers.Subtract()([ha, hb]), layers.Minimum()([ha, hb]),
                                   layers.Dot(axes=1)([ha, hb])])
    out = layers.Dense(2, activation="softmax")(merged)
    model = keras.Model([a, b], out)
    axes = {"input": {0: "n"}, "input_1": {0: "n"}, "output": {0: "n"}}
    _check(model, (_x(2, 4), _x(2, 4)), batches=(1, 6), dynamic_axes=axes)


def test_convolution_pooling_and_normalisation_layers():
    from retrograd.nn.conv import Conv1d, Conv2d, ConvTranspose2d
    from retrograd.nn.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
    from retrograd.nn.pooling import (AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d,
                                      MaxPool2d)
    from retrograd.ops.padding import pad
    rg.manual_seed(0)
    cnn = nn.Sequential(Conv2d(3, 4, 3, padding=1), BatchNorm2d(4), nn.ReLU(),
                        MaxPool2d(2, ceil_mode=True), Conv2d(4, 6, 3, stride=2, padding=2,
                                                             dilation=2, groups=2),
                        AvgPool2d(3, stride=1, padding=1, count_include_pad=False),
                        ConvTranspose2d(6, 4, 3, stride=2, padding=1, output_padding=1),
                        LayerNorm([4, 4, 4]), AvgPool2d(2), AdaptiveAvgPool2d(1),
                        nn.Flatten(), nn.Linear(4, 2))
    cnn.train()
    cnn(rg.randn(8, 3, 7, 7))                   # running statistics move off 0 and 1
    proto = _check(cnn, _x(2, 3, 7, 7), batches=(3,), dynamic_axes=DYNAMIC)
    assert {"Conv", "MaxPool", "AveragePool", "ConvTranspose", "LayerNormalization",
            "GlobalAveragePool", "Gemm"} <= {n.op_type for n in proto.graph.node}

    class Conv1dNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.bn = Conv1d(2, 3, 3, padding=1), BatchNorm1d(3)
            self.pools = nn.Sequential(MaxPool1d(2), AvgPool1d(2))
            self.gap = AdaptiveAvgPool2d((3, 1))

        def forward(self, x):
            h = pad(x, (1, 2), mode="reflect")
            h = pad(self.bn(self.conv(h)), (2, 0), mode="replicate")
            h = pad(self.pools(h), (1, 1), value=0.5)
            return self.gap(h.reshape(h.shape[0], 1, 3, -1))
    net = Conv1dNet()
    net.train()
    net(rg.randn(4, 2, 9))
    _check(net, _x(2, 2, 9), batches=(5,), dynamic_axes=DYNAMIC)


def test_export_of_a_cuda_model(gpu):
    """A model on the GPU is traced there (the example array moved to it) and its
    weights are written from device memory."""
    from retrograd.nn.conv import Conv2d
    from retrograd.nn.normalization import BatchNorm2d
    model = nn.Sequential(Conv2d(2, 3, 3), BatchNorm2d(3), nn.ReLU(), nn.Flatten(),
                          nn.Linear(12, 2))
    model(rg.randn(4, 2, 4, 4))                  # running statistics move (training)
    model.to("cuda")
    x = _x(2, 2, 4, 4)
    buf = io.BytesIO()
    rg.onnx.export(model, x, buf)
    assert {p.device for p in model.parameters()} == {"cuda"}
    (theirs,) = ort.InferenceSession(buf.getvalue()).run(None, {"input": x})
    model.eval()
    with rg.no_grad():
        ours = model(rg.tensor(x, device="cuda")).to("cpu").numpy()
    np.testing.assert_allclose(theirs, ours, rtol=1e-5, atol=1e-5)


def test_keras_convolution_pooling_normalisation_and_embedding_layers():
    from retrograd.keras.layers.convolutional import Conv1D, Conv2D, Conv2DTranspose
    from retrograd.keras.layers.embedding import Embedding
    from retrograd.keras.layers.normalization import BatchNormalization, LayerNormalization
    from retrograd.keras.layers.pooling import (AveragePooling1D, AveragePooling2D,
                                                GlobalAveragePooling1D,
                                                GlobalAveragePooling2D, GlobalMaxPooling1D,
                                                MaxPooling1D, MaxPooling2D)
    from retrograd.keras.layers.reshaping import ZeroPadding2D
    keras, layers = rg.keras, rg.keras.layers
    x = _x(4, 6, 6, 3)
    cnn = keras.Sequential([layers.Input(shape=(6, 6, 3)), ZeroPadding2D(1),
                            Conv2D(4, 3, padding="same", activation="relu"),
                            BatchNormalization(), MaxPooling2D(2),
                            Conv2D(6, 3, strides=2, padding="same"),
                            AveragePooling2D(2, padding="same"),
                            Conv2DTranspose(4, 3, strides=2), LayerNormalization(),
                            GlobalAveragePooling2D(), layers.Dense(3, activation="softmax")])
    cnn.compile(optimizer="sgd", loss="mse")
    cnn.fit(x, _x(4, 3), epochs=1, verbose=0)    # batch-norm statistics move
    _check(cnn, x[:2], batches=(3,), dynamic_axes={"input": [0]})
    seq = keras.Sequential([layers.Input(shape=(10, 3)), Conv1D(4, 3, padding="causal"),
                            MaxPooling1D(2), AveragePooling1D(2), GlobalMaxPooling1D()])
    _check(seq, _x(2, 10, 3), batches=(4,), dynamic_axes={"input": [0]})

    text = keras.Sequential([layers.Input(shape=(6,)), Embedding(20, 4),
                             GlobalAveragePooling1D(), layers.Dense(2)])
    tokens = np.random.default_rng(4).integers(0, 20, (3, 6))
    buf = io.BytesIO()
    rg.onnx.export(text, tokens[:2], buf, dynamic_axes={"input": [0]})
    (theirs,) = ort.InferenceSession(buf.getvalue()).run(None, {"input": tokens})
    np.testing.assert_allclose(theirs, text.predict(tokens, verbose=0), atol=1e-6)


def test_an_embedding_model_takes_integer_inputs():
    from retrograd.nn.sparse import Embedding

    class Bag(nn.Module):                        # a bag-of-words text classifier
        def __init__(self):
            super().__init__()
            self.embed, self.out = Embedding(20, 4, padding_idx=0), nn.Linear(4, 3)

        def forward(self, tokens):
            return self.out(self.embed(tokens).mean(dim=1))
    model = Bag()
    tokens = np.array([[1, 5, 0], [18, 2, 2]])
    buf = io.BytesIO()
    rg.onnx.export(model, tokens, buf, dynamic_axes={"input": {0: "n", 1: "length"}})
    session = ort.InferenceSession(buf.getvalue())
    for shape in ((4, 3), (1, 3)):
        x = np.random.default_rng(3).integers(0, 20, shape)
        with rg.no_grad():
            np.testing.assert_allclose(session.run(None, {"input": x})[0],
                                       model(rg.tensor(x)).numpy(), atol=1e-6)

    class Shifted(Bag):
        def forward(self, tokens):
            return self.out(self.embed(tokens + 1).mean(dim=1))
    with pytest.raises(rg.NotSupportedError, match="indices are not one of the model's"):
        rg.onnx.export(Shifted(), tokens, io.BytesIO())


def test_basic_indexing_with_a_dynamic_batch():
    S = slice(None)
    for index in [(S, slice(0, 2)), (Ellipsis, -1), (S, None, slice(None, None, -1)),
                  (S, 1, slice(1, None, 2)), (S, slice(-2, None), None, 0), (Ellipsis,),
                  (S, slice(3, 0, -2), 2), (S, Ellipsis, slice(1, 2), None)]:
        class Index(nn.Module):
            def forward(self, x):
                return x[index] * 2.0
        # only the input is declared dynamic: the output follows
        proto = _check(Index(), _x(2, 4, 3), batches=(5,), dynamic_axes={"input": [0]})
        assert proto.graph.output[0].type.tensor_type.shape.dim[0].dim_param


def test_a_user_op_exports_once_its_converter_is_registered(monkeypatch):
    from retrograd.onnx import converters
    monkeypatch.setattr(converters, "CONVERTERS", dict(converters.CONVERTERS))

    class Cube(rg.Function):
        def forward(self, x):
            self.x = x
            return x ** 3

        def backward(self, gy):
            return 3 * self.x ** 2 * gy

    class Model(nn.Module):
        def forward(self, x):
            return Cube().apply(x) + x

    with pytest.raises(rg.NotSupportedError, match="Cube"):
        rg.onnx.export(Model(), _x(2, 3), io.BytesIO())

    @rg.onnx.converts(Cube)
    def _cube(g, op, xs, y):
        return g.node("Pow", [xs[0], g.const(3.0, y.dtype)])
    _check(Model(), _x(2, 3), batches=(4,), dynamic_axes=DYNAMIC)


def test_unsupported_ops_and_bad_arguments_are_named():
    model = rg.keras.Sequential([rg.keras.layers.Input(shape=(3,)),
                                 rg.keras.layers.ReLU(threshold=0.5)])
    with pytest.raises(rg.NotSupportedError, match="where"):
        rg.onnx.export(model, _x(2, 3), io.BytesIO())

    class Indexing(nn.Module):
        def forward(self, x):
            return x[:, [0, 2]]
    with pytest.raises(rg.NotSupportedError, match="advanced indexing"):
        rg.onnx.export(Indexing(), _x(2, 3), io.BytesIO())
    mlp = nn.Sequential(nn.Linear(3, 2))
    with pytest.raises(ValueError, match="opset_version=7"):
        rg.onnx.export(mlp, _x(2, 3), io.BytesIO(), opset_version=7)
    with pytest.raises(ValueError, match="dynamic_axes names 'x'"):
        rg.onnx.export(mlp, _x(2, 3), io.BytesIO(), dynamic_axes={"x": [0]})
    with pytest.raises(ValueError, match="input_names"):
        rg.onnx.export(mlp, _x(2, 3), io.BytesIO(), input_names=["a", "b"])
    with pytest.raises(TypeError, match="args\\[0\\] is a dict"):
        rg.onnx.export(mlp, {"x": 1}, io.BytesIO())


def test_without_the_onnx_library_the_error_names_the_extra(monkeypatch):
    import subprocess
    import sys
    code = "import sys, retrograd; print(sorted(m for m in ('onnx', 'onnxruntime', " \
           "'safetensors') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]"            # imported at the first export only
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"pip install retrograd\[interop\]"):
        rg.onnx.export(nn.Sequential(nn.Linear(2, 2)), _x(1, 2), io.BytesIO())
