"""Keras 3's other metrics, losses, optimizers, initializers, constraints and utilities
against real Keras 3 (torch backend): the same batches, the same weights and gradients,
the same values; configs round trip; strings work in compile."""
import os
import re

import numpy as np
import pytest

import retrograd as rg
from retrograd import keras as rk
from retrograd.missing import NotSupportedError

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras", reason="real Keras 3 is the oracle")
torch = pytest.importorskip("torch", reason="Keras's torch backend")


def _batches(kind, rng):
    out = []
    for _ in range(2):
        n = 5
        if kind == "prob":
            yt, yp = (rng.uniform(size=(n, 3)) > 0.5) * 1.0, rng.uniform(size=(n, 3))
        elif kind == "bin1":
            yt, yp = (rng.uniform(size=(n, 1)) > 0.5) * 1.0, rng.uniform(size=(n, 1))
        elif kind == "onehot":
            yt, yp = np.eye(4)[rng.integers(0, 4, n)], rng.dirichlet(np.ones(4), n)
        elif kind == "sparse":
            yt, yp = rng.integers(0, 4, (n,)), rng.dirichlet(np.ones(4), n)
        elif kind == "reg":
            yt = rng.normal(size=(n, 3))
            yp = yt + rng.normal(size=(n, 3)) * 0.5
        elif kind == "pos":
            yt, yp = rng.uniform(0.1, 2, (n, 3)), rng.uniform(0.1, 2, (n, 3))
        elif kind == "lab":
            yt, yp = rng.integers(0, 3, (n,)), rng.integers(0, 3, (n,))
        else:   # hinge
            yt, yp = (rng.uniform(size=(n, 3)) > 0.5) * 1.0, rng.normal(size=(n, 3))
        yt = yt.astype(np.float32) if yt.dtype.kind == "f" else yt
        out.append((yt, yp.astype(np.float32), np.array([1, 2, 0, 1, 3], np.float32)))
    return out


METRICS = [
    ("RootMeanSquaredError", {}, "reg"), ("TopKCategoricalAccuracy", {"k": 2}, "onehot"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse"), ("TruePositives", {}, "prob"),
    ("FalsePositives", {"thresholds": [0.2, 0.7]}, "prob"), ("TrueNegatives", {}, "prob"),
    ("FalseNegatives", {"thresholds": 0.3}, "prob"), ("F1Score", {}, "onehot"),
    ("F1Score", {"average": "macro", "threshold": 0.3}, "prob"),
    ("F1Score", {"average": "micro"}, "prob"),
    ("FBetaScore", {"average": "weighted", "beta": 2.0, "threshold": 0.4}, "prob"),
    ("R2Score", {}, "reg"),
    ("R2Score", {"class_aggregation": "variance_weighted_average", "num_regressors": 2}, "reg"),
    ("R2Score", {"class_aggregation": None}, "reg"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.1}, "onehot"),
    ("SparseCategoricalCrossentropy", {}, "sparse"), ("BinaryCrossentropy", {}, "prob"),
    ("KLDivergence", {}, "onehot"), ("Poisson", {}, "pos"), ("CosineSimilarity", {}, "reg"),
    ("LogCoshError", {}, "reg"), ("MeanAbsolutePercentageError", {}, "reg"),
    ("MeanSquaredLogarithmicError", {}, "pos"), ("Hinge", {}, "hinge"),
    ("SquaredHinge", {}, "hinge"), ("CategoricalHinge", {}, "onehot"),
    ("IoU", {"num_classes": 3, "target_class_ids": [0, 2]}, "lab"),
    ("MeanIoU", {"num_classes": 3}, "lab"), ("MeanIoU", {"num_classes": 3, "dtype": "float32"},
                                             "lab"),
    ("BinaryIoU", {"threshold": 0.3}, "bin1"),
    ("OneHotIoU", {"num_classes": 4, "target_class_ids": [1, 3]}, "onehot"),
    ("OneHotMeanIoU", {"num_classes": 4}, "onehot"),
    ("PrecisionAtRecall", {"recall": 0.5}, "prob"),
    ("RecallAtPrecision", {"precision": 0.6}, "prob"),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, "prob"),
    ("SpecificityAtSensitivity", {"sensitivity": 0.5, "num_thresholds": 7}, "prob"),
    ("PrecisionAtRecall", {"recall": 0.3, "class_id": 2}, "prob"),
    ("PearsonCorrelation", {}, "reg"), ("ConcordanceCorrelation", {}, "reg"),
    ("AUC", {"curve": "PR"}, "prob"), ("AUC", {"curve": "PR", "summation_method": "minoring"},
                                       "prob"),
    ("AUC", {"curve": "PRGAIN"}, "prob"), ("AUC", {"thresholds": [0.2, 0.5, 0.7]}, "prob"),
    ("AUC", {"multi_label": True}, "prob"), ("AUC", {"multi_label": True, "curve": "PR"}, "prob"),
    ("Precision", {"thresholds": [0.3, 0.6]}, "prob"), ("Precision", {"top_k": 2}, "onehot"),
    ("Recall", {"top_k": 2, "class_id": 3}, "onehot"), ("Recall", {"class_id": 1}, "prob"),
]


def test_metrics_match_keras_batch_by_batch_with_and_without_weights():
    rng = np.random.default_rng(1)
    for i, (name, kw, kind) in enumerate(METRICS):
        data = _batches(kind, rng)
        for weighted in ((False, True) if i % 3 == 0 else (True,)):   # time: Keras is slow
            km, rm = getattr(keras.metrics, name)(**kw), getattr(rk.metrics, name)(**kw)
            for yt, yp, w in data:
                km.update_state(yt, yp, sample_weight=w if weighted else None)
                rm.update_state(yt, yp, sample_weight=w if weighted else None)
            a, b = np.asarray(km.result()), np.asarray(rm.result())
            assert a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-6), \
                (name, kw, weighted, a, b)
        config = rm.get_config()
        expected = {k: v for k, v in km.get_config().items() if k != "name"}
        assert {k: v for k, v in config.items() if k != "name"} == expected, name
        assert re.sub(r"_\d+$", "", km.name) == rm.name, name      # Keras numbers its copies
        again = type(rm).from_config(config)
        assert again.get_config() == config
        rm.reset_state()
        km.reset_state()
        assert np.allclose(np.asarray(km.result()), np.asarray(rm.result()), equal_nan=True), name


def test_metric_function_forms_and_errors_as_keras():
    rng = np.random.default_rng(2)
    yt, yp = np.eye(4)[rng.integers(0, 4, 6)].astype("float32"), rng.dirichlet(
        np.ones(4), 6).astype("float32")
    labels = yt.argmax(-1)
    for fn, args in (("top_k_categorical_accuracy", (yt, yp, 2)),
                     ("sparse_top_k_categorical_accuracy", (labels, yp, 2)),
                     ("categorical_accuracy", (yt, yp)),
                     ("sparse_categorical_accuracy", (labels, yp)),
                     ("binary_accuracy", (yt, yp)), ("pearson_correlation", (yt, yp)),
                     ("concordance_correlation", (yt, yp)), ("kl_divergence", (yt, yp)),
                     ("huber", (yt, yp)), ("log_cosh", (yt, yp)),
                     ("categorical_crossentropy", (yt, yp))):
        a = np.asarray(getattr(keras.metrics, fn)(*args))
        b = np.asarray(rg.Tensor.numpy(r) if isinstance(r := getattr(rk.metrics, fn)(*args),
                                                          rg.Tensor) else r)
        assert a.shape == b.shape and np.allclose(a, b, atol=1e-6), fn
    for bad in (lambda m: m.F1Score(average="max"), lambda m: m.F1Score(threshold=1),
                lambda m: m.FBetaScore(beta=1), lambda m: m.R2Score(num_regressors=-1),
                lambda m: m.IoU(2, [0, 3]), lambda m: m.PrecisionAtRecall(1.5),
                lambda m: m.SensitivityAtSpecificity(0.5, num_thresholds=0)):
        with pytest.raises(ValueError):
            bad(keras.metrics)
        with pytest.raises(ValueError):
            bad(rk.metrics)
    for kw in ({"multi_label": True, "label_weights": [0.2, 0.5, 1.0]},
               {"label_weights": [0.2, 0.5, 1.0], "curve": "PR"}):     # configs differ:
        km, rm = keras.metrics.AUC(**kw), rk.metrics.AUC(**kw)    # Keras's holds a tensor
        for yt, yp, w in _batches("prob", rng):
            km.update_state(yt, yp, sample_weight=w)
            rm.update_state(yt, yp, sample_weight=w)
        assert np.isclose(float(km.result()), rm.result(), atol=1e-6)
    with pytest.raises(ValueError, match="2D inputs"):
        rk.metrics.R2Score().update_state(np.ones(3), np.ones(3))
    with pytest.raises(NotSupportedError, match="ignore_class"):
        rk.metrics.SparseCategoricalCrossentropy(ignore_class=0)
    for name in ("top_k_categorical_accuracy", "f1_score", "r2_score", "kl_divergence",
                 "pearson_correlation", "hinge", "mape", "AUC", "Precision", "F1Score",
                 "RootMeanSquaredError", "f_beta_score", "true_positives", "log_cosh_error",
                 "MSE", "msle", "CategoricalAccuracy"):
        assert type(rk.metrics.get(name)).__name__ == type(keras.metrics.get(name)).__name__
    for name in ("log_cosh", "logcosh", "kld", "fbeta_score", "huber"):
        with pytest.raises(ValueError, match=name):
            keras.metrics.get(name)
        with pytest.raises(ValueError, match=name):
            rk.metrics.get(name)
    for name in ("Huber", "huber", "log_cosh", "kld", "KLD", "Dice", "MAPE", "msle", "Tversky",
                 "categorical_focal_crossentropy"):
        keras.losses.get(name)
        rk.losses.get(name)
    for name in ("huber_loss", "logcosh", "kullback_leibler_divergence"):
        with pytest.raises(ValueError):
            keras.losses.get(name)
        with pytest.raises(ValueError):
            rk.losses.get(name)


LOSSES = [("Huber", {}, "reg", "reg"), ("Huber", {"delta": 0.5}, "reg", "reg"),
          ("KLDivergence", {}, "soft", "prob"), ("CosineSimilarity", {}, "reg", "prob"),
          ("Hinge", {}, "bin", "reg"), ("SquaredHinge", {}, "bin", "reg"),
          ("CategoricalHinge", {}, "onehot", "reg"), ("LogCosh", {}, "reg", "prob"),
          ("Poisson", {}, "bin", "prob"), ("MeanAbsolutePercentageError", {}, "reg", "prob"),
          ("MeanSquaredLogarithmicError", {}, "abs", "prob"),
          ("BinaryFocalCrossentropy", {}, "bin", "prob"),
          ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "from_logits": True,
                                       "label_smoothing": 0.1}, "bin", "reg"),
          ("CategoricalFocalCrossentropy", {}, "onehot", "prob"),
          ("CategoricalFocalCrossentropy", {"from_logits": True, "label_smoothing": 0.1},
           "onehot", "reg"),
          ("Dice", {}, "bin", "prob"), ("Tversky", {"alpha": 0.3, "beta": 0.7}, "bin", "prob"),
          ("Dice", {"axis": -1}, "bin", "prob")]


def test_losses_values_and_gradients_match_keras_for_every_reduction():
    rng = np.random.default_rng(0)
    data = {"prob": rng.uniform(0.05, 0.95, (4, 3)), "bin": (rng.uniform(size=(4, 3)) > 0.5)
            * 1.0, "reg": rng.normal(size=(4, 3)), "onehot": np.eye(3)[[0, 2, 1, 1]]}
    data["soft"], data["abs"] = data["onehot"] * 0.8 + 0.05, np.abs(data["reg"])
    w = np.array([1.0, 0.5, 2.0, 0.0])
    for name, kw, true, pred in LOSSES:
        yt, yp = data[true], data[pred]
        for reduction in ("sum_over_batch_size", "sum", "none"):
            for sw in (None, w) if reduction != "none" else (None, w, np.float64(2.0)):
                tp = torch.tensor(yp, requires_grad=True)
                kv = getattr(keras.losses, name)(reduction=reduction, **kw)(
                    torch.tensor(yt), tp, sample_weight=None if sw is None else torch.tensor(sw))
                kv.sum().backward()
                rp = rg.tensor(yp, requires_grad=True)
                rv = getattr(rk.losses, name)(reduction=reduction, **kw)(yt, rp, sample_weight=sw)
                rv.sum().backward()
                assert tuple(kv.shape) == tuple(rv.shape), (name, kw, reduction, sw, rv.shape)
                assert np.allclose(kv.detach().numpy(), rv.numpy(), rtol=1e-6, atol=1e-7), \
                    (name, kw, reduction, sw)
                assert np.allclose(tp.grad.numpy(), rp.grad.numpy(), rtol=1e-6, atol=1e-7), \
                    (name, kw, reduction, sw)
        loss = getattr(rk.losses, name)(**kw)
        expected = getattr(keras.losses, name)(**kw).get_config()
        assert {k: loss.get_config()[k] for k in expected} == expected
        assert type(loss).from_config(loss.get_config()).get_config() == loss.get_config()
        fn = rk.losses.get(loss.get_config()["name"]) if name not in ("Huber",) else \
            rk.losses.get("huber")
        assert type(fn) is type(loss)
    # ignore_class: those labels' losses are masked out (the mean is over the others)
    labels, logits = np.array([[0, 2], [1, 2], [1, 0]]), data["reg"][:3, None].repeat(2, 1)
    for reduction in ("sum_over_batch_size", "sum", "none"):
        for sw in (None, np.array([[1.0, 0.5], [2.0, 0.0], [1.0, 3.0]])):
            tp = torch.tensor(logits, requires_grad=True)
            kv = keras.losses.SparseCategoricalCrossentropy(True, 2, reduction)(
                torch.tensor(labels), tp, sample_weight=None if sw is None else torch.tensor(sw))
            kv.sum().backward()
            rp = rg.tensor(logits, requires_grad=True)
            rv = rk.losses.SparseCategoricalCrossentropy(True, 2, reduction)(labels, rp, sw)
            rv.sum().backward()
            assert tuple(kv.shape) == tuple(rv.shape) and np.allclose(
                kv.detach().numpy(), rv.numpy(), rtol=1e-6), (reduction, sw)
            assert np.allclose(tp.grad.numpy(), rp.grad.numpy(), rtol=1e-6, atol=1e-7)
    loss = rk.losses.SparseCategoricalCrossentropy(ignore_class=2)
    assert loss.get_config() == keras.losses.SparseCategoricalCrossentropy(
        ignore_class=2).get_config()
    assert np.allclose(rk.losses.sparse_categorical_crossentropy(
        labels, logits, True, ignore_class=2).numpy(), keras.losses.sparse_categorical_crossentropy(
        torch.tensor(labels), torch.tensor(logits), True, ignore_class=2).numpy(), rtol=1e-6)
    # the function forms are the per-sample values
    yt, yp = data["bin"], data["prob"]
    for fn in ("huber", "log_cosh", "poisson", "kl_divergence", "hinge", "squared_hinge",
               "categorical_hinge", "mean_absolute_percentage_error",
               "mean_squared_logarithmic_error", "binary_focal_crossentropy",
               "categorical_focal_crossentropy", "dice", "tversky", "cosine_similarity"):
        a = np.asarray(getattr(keras.losses, fn)(torch.tensor(yt), torch.tensor(yp)))
        b = getattr(rk.losses, fn)(yt, yp).numpy()
        assert a.shape == b.shape and np.allclose(a, b, atol=1e-6), fn
    # CTC: integer labels padded with 0 (the blank), logits (batch, time, classes); Keras's
    # gradient comes from torch's ctc_loss, ~1e-7 from ours (ours agrees with finite
    # differences to 1e-9)
    labels = np.array([[1, 2, 2, 0], [3, 1, 0, 0], [2, 0, 0, 0]])
    logits = rng.normal(size=(3, 6, 4))
    for reduction, sw in (("sum_over_batch_size", None), ("none", w[:3])):
        tp = torch.tensor(logits, requires_grad=True)
        kv = keras.losses.CTC(reduction=reduction)(torch.tensor(labels), tp, sample_weight=(
            None if sw is None else torch.tensor(sw)))
        kv.sum().backward()
        rp = rg.tensor(logits, requires_grad=True)
        rv = rk.losses.CTC(reduction=reduction)(labels, rp, sample_weight=sw)
        rv.sum().backward()
        assert np.allclose(kv.detach().numpy(), rv.numpy(), rtol=1e-6)
        assert np.allclose(tp.grad.numpy(), rp.grad.numpy(), atol=2e-6)
    with pytest.raises(ValueError, match="y_true.shape"):
        rk.losses.CTC()(labels[0], logits)
    # generalized cross-entropy: integer labels, probabilities
    labels, probs = np.array([0, 2, 1, 1]), rng.dirichlet(np.ones(3), 4)
    tp = torch.tensor(probs, requires_grad=True)
    kv = keras.losses.CategoricalGeneralizedCrossEntropy(q=0.3)(
        torch.tensor(labels), tp, sample_weight=torch.tensor(w))
    kv.backward()
    rp = rg.tensor(probs, requires_grad=True)
    rv = rk.losses.CategoricalGeneralizedCrossEntropy(q=0.3)(labels, rp, sample_weight=w)
    rv.backward()
    assert np.isclose(kv.item(), rv.item(), rtol=1e-6)
    assert np.allclose(tp.grad.numpy(), rp.grad.numpy(), rtol=1e-6, atol=1e-9)
    with pytest.raises(ValueError, match="q must be"):
        rk.losses.CategoricalGeneralizedCrossEntropy(q=1.5)
    with pytest.raises(NotSupportedError, match="keras.losses.Circle"):
        _ = rk.losses.Circle


def test_compile_by_strings_in_a_tiny_fit():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = rk.utils.to_categorical(rng.integers(0, 3, 32), 3)
    model = rk.Sequential([rk.Input((4,)), rk.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="nadam", loss="huber",
                  metrics=["top_k_categorical_accuracy", "categorical_crossentropy",
                           rk.metrics.F1Score(average="macro")])
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0).history
    assert set(history) == {"loss", "top_k_categorical_accuracy", "categorical_crossentropy",
                            "f1_score"}
    assert history["top_k_categorical_accuracy"][0] == 1.0      # k = 5 > 3 classes
    p = model.predict(x, verbose=0)
    huber = np.mean(np.where(np.abs(p - y) <= 1, 0.5 * (p - y) ** 2, np.abs(p - y) - 0.5))
    assert np.isclose(model.evaluate(x, y, verbose=0, return_dict=True)["loss"], huber,
                      rtol=1e-5)


OPTIMIZERS = [("Nadam", {}), ("Adamax", {}), ("Adadelta", {"learning_rate": 1.0}), ("Lion", {}),
              ("Ftrl", {"learning_rate": 0.1}),
              ("Ftrl", {"learning_rate": 0.1, "l1_regularization_strength": 0.01,
                        "l2_regularization_strength": 0.02,
                        "l2_shrinkage_regularization_strength": 0.01, "beta": 0.1}),
              ("Lamb", {"learning_rate": 0.01}), ("Adafactor", {"learning_rate": 0.5}),
              ("Adafactor", {"learning_rate": 0.01, "relative_step": False}),
              ("Nadam", {"weight_decay": 0.1, "clipnorm": 0.5}),
              ("Adamax", {"global_clipnorm": 1.0}), ("Lion", {"clipvalue": 0.2}),
              ("Lion", {"use_ema": True, "ema_momentum": 0.5, "ema_overwrite_frequency": 2}),
              ("Adafactor", {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.9}),
              ("Adam", {"learning_rate": 0.01, "small": True}),    # where ε's place shows
              ("Adam", {"amsgrad": True, "weight_decay": 0.1}), ("AdamW", {"small": True}),
              ("RMSprop", {"learning_rate": 0.01, "small": True}),
              ("RMSprop", {"momentum": 0.5, "centered": True, "small": True}),
              ("Adagrad", {"initial_accumulator_value": 0.0, "small": True})]


def test_optimizers_take_keras_steps_from_the_same_weights_and_gradients():
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(3, 4)).astype("float32"), rng.normal(size=4).astype("float32")]
    grads = [[rng.normal(size=w.shape).astype("float32") for w in weights] for _ in range(5)]
    for name, kw in OPTIMIZERS + [("Lion", {"schedule": True}), ("Adafactor", {"schedule": True}),
                                  ("SGD", {"momentum": 0.9, "schedule": True}),
                                  ("SGD", {"momentum": 0.9, "nesterov": True, "schedule": True})]:
        kk, rr, scale = dict(kw), dict(kw), 1e-4 if kw.get("small") else 1.0
        kk.pop("small", None), rr.pop("small", None)
        if kw.get("schedule"):
            del kk["schedule"], rr["schedule"]
            kk["learning_rate"] = keras.optimizers.schedules.ExponentialDecay(0.01, 2, 0.5)
            rr["learning_rate"] = rk.optimizers.schedules.ExponentialDecay(0.01, 2, 0.5)
        kopt, ropt = getattr(keras.optimizers, name)(**kk), getattr(rk.optimizers, name)(**rr)
        kv = [keras.Variable(w.copy()) for w in weights]
        rv = [rg.tensor(w.copy(), requires_grad=True) for w in weights]
        for g in grads:
            kopt.apply([torch.tensor(x * np.float32(scale)) for x in g], kv)
            ropt.apply([x * np.float32(scale) for x in g], rv)
        kopt.finalize_variable_values(kv)       # use_ema: the weights take their averages
        ropt.finalize_variable_values(rv)
        for a, b in zip(kv, rv):
            assert b.dtype == np.float32
            assert np.allclose(np.asarray(a.numpy()), b.numpy(), rtol=1e-6, atol=1e-6), (name, kw)
        expected = {k: v for k, v in kopt.get_config().items() if k not in (
            "name", "learning_rate")}
        config = ropt.get_config()
        assert {k: config[k] for k in expected} == expected, name
        again = rk.optimizers.deserialize(rk.optimizers.serialize(ropt))
        assert type(again) is type(ropt) and again.get_config() == config
        assert type(rk.optimizers.get(name.lower())) is type(ropt)
    # a weight's constraint is applied after each update, as Keras's optimizers do
    kv = keras.Variable(weights[0].copy())
    kv.constraint = keras.constraints.MaxNorm(1.0)
    rv = rg.tensor(weights[0].copy(), requires_grad=True)
    rv.constraint = rk.constraints.MaxNorm(1.0)
    kopt, ropt = keras.optimizers.Nadam(0.1), rk.optimizers.Nadam(0.1)
    for g in grads[:3]:
        kopt.apply([torch.tensor(g[0])], [kv])
        ropt.apply([g[0].copy()], [rv])
    assert np.allclose(np.asarray(kv.numpy()), rv.numpy(), atol=1e-5)
    assert np.sqrt((rv.numpy() ** 2).sum(axis=0)).max() <= 1 + 1e-6
    with pytest.raises(NotSupportedError, match="gradient_accumulation_steps"):
        rk.optimizers.Adam(gradient_accumulation_steps=2)
    for bad in (lambda o: o.Lion(beta_1=0), lambda o: o.Ftrl(learning_rate_power=0.5),
                lambda o: o.Adam(use_ema=True, ema_momentum=2),
                lambda o: o.Ftrl(initial_accumulator_value=-1)):
        with pytest.raises(ValueError):
            bad(keras.optimizers)
        with pytest.raises(ValueError):
            bad(rk.optimizers)


def test_initializer_aliases_constraints_tree_and_utils_as_keras():
    import collections
    rng = np.random.default_rng(3)
    # initializers: the snake_case names are the classes; draws have Keras's law
    for name in ("glorot_uniform", "he_normal", "lecun_uniform", "orthogonal", "identity",
                 "variance_scaling", "truncated_normal", "random_normal", "zeros", "ones"):
        assert getattr(rk.initializers, name).__name__ == getattr(keras.initializers,
                                                                  name).__name__
    for name in ("Orthogonal", "TruncatedNormal", "GlorotNormal", "HeUniform"):
        a = np.asarray(getattr(keras.initializers, name)(seed=1)((128, 32)))
        b = getattr(rk.initializers, name)(seed=1)((128, 32)).numpy()
        assert b.dtype == a.dtype and abs(a.std() - b.std()) < 0.05 * a.std()   # ≥ 4 σ
        assert np.abs(b).max() <= np.abs(a).max() * 1.25
    q = rk.initializers.OrthogonalInitializer(gain=2.0)((5, 3)).numpy()
    assert np.allclose(q.T @ q, 4 * np.eye(3), atol=1e-5)
    conf = rk.initializers.serialize(rk.initializers.HeNormal(seed=3))
    assert conf["class_name"] == "HeNormal" and conf["config"]["seed"] == 3
    assert type(rk.initializers.deserialize(conf)) is rk.initializers.HeNormal
    # constraints: the same projections
    w = rng.normal(size=(4, 3)).astype("float32") * 2
    for name, kw in (("MaxNorm", {"max_value": 1.5}), ("MaxNorm", {"axis": 1}),
                     ("MinMaxNorm", {"min_value": 0.5, "max_value": 1.2, "rate": 0.7}),
                     ("NonNeg", {}), ("UnitNorm", {"axis": -1})):
        a = np.asarray(getattr(keras.constraints, name)(**kw)(torch.tensor(w)))
        c = getattr(rk.constraints, name)(**kw)
        assert np.allclose(a, c(w), atol=1e-6) and np.allclose(a, c(rg.tensor(w)).numpy(),
                                                               atol=1e-6), name
        assert c.get_config() == getattr(keras.constraints, name)(**kw).get_config()
        assert type(rk.constraints.deserialize(rk.constraints.serialize(c))) is type(c)
    assert type(rk.constraints.get("max_norm")) is rk.constraints.MaxNorm
    # tree
    nt = collections.namedtuple("NT", "x y")
    for s in ({"b": [1, 2], "a": (3, None)}, [1, [2, (3, 4)], {"z": 5, "y": [6]}], 5, None,
              nt(1, [2, 3]), ()):
        assert rk.tree.flatten(s) == keras.tree.flatten(s)
        assert rk.tree.flatten_with_path(s) == keras.tree.flatten_with_path(s)
        assert rk.tree.is_nested(s) == keras.tree.is_nested(s)
        new = list(range(len(keras.tree.flatten(s))))
        assert rk.tree.pack_sequence_as(s, new) == keras.tree.pack_sequence_as(s, new)
        assert rk.tree.map_structure(str, s) == keras.tree.map_structure(str, s)
    with pytest.raises(ValueError):
        rk.tree.assert_same_structure([1, 2], [1, [2]])
    # utils
    for d in ("int", "float16", np.float32, torch.float32, float, int, bool, np.int64,
              rg.float32):
        assert rk.utils.standardize_dtype(d) == keras.utils.standardize_dtype(d)
    with pytest.raises(ValueError):
        rk.utils.standardize_dtype("float")
    x = np.array([[3.0, 4.0], [0, 0], [1, 2]])
    assert np.allclose(rk.utils.normalize(x), keras.utils.normalize(x))
    assert rk.utils.is_keras_tensor(rk.Input((3,))) and not rk.utils.is_keras_tensor(x)

    class Scale(rk.layers.Layer):
        def call(self, x):
            return x * 2
    assert "Scale" not in rk.utils.get_custom_objects()
    with rk.utils.custom_object_scope({"Scale": Scale}):
        assert rk.utils.get_custom_objects()["Scale"] is Scale
        assert rk.saving.get_registered_object("Scale") is Scale
    assert "Scale" not in rk.utils.get_custom_objects()


def test_timeseries_and_split_dataset_feed_fit():
    ds = rk.utils.timeseries_dataset_from_array(np.arange(100), np.arange(100) * 10,
                                                sequence_length=10, sampling_rate=2,
                                                batch_size=8, start_index=5)
    x, y = ds[0]
    assert len(ds) == 10 and x.shape == (8, 10)
    assert list(x[1]) == list(range(6, 26, 2)) and list(y[:2]) == [50, 60]
    assert [len(b[0]) for b in ds][-1] == 77 - 9 * 8     # 95 − 9·2 = 77 windows
    for inputs, targets in ds.take(1):                      # Keras's examples' idiom
        assert np.array_equal(inputs, x) and np.array_equal(targets, y)
    with pytest.raises(ValueError, match="sampling_rate"):
        rk.utils.timeseries_dataset_from_array(np.arange(10), None, 3, sampling_rate=0)
    rng = np.random.default_rng(0)
    series = rng.normal(size=(120, 2)).astype("float32")
    data = rk.utils.timeseries_dataset_from_array(series, series[4:, 0], sequence_length=4,
                                                  batch_size=32, shuffle=True, seed=1)
    model = rk.Sequential([rk.Input((4, 2)), rk.layers.Flatten(), rk.layers.Dense(1)])
    model.compile(optimizer=rk.optimizers.Lamb(0.01), loss="log_cosh",
                  metrics=[rk.metrics.RootMeanSquaredError(), "mape"])
    logs = model.fit(data, epochs=2, verbose=0).history
    assert set(logs) == {"loss", "root_mean_squared_error", "mape"}
    left, right = rk.utils.split_dataset((np.arange(10), np.arange(10) * 2), left_size=0.3,
                                         shuffle=True, seed=2)
    assert len(left[0]) == 3 and len(right[0]) == 7 and np.all(left[1] == 2 * left[0])
    assert sorted(np.concatenate([left[0], right[0]])) == list(range(10))
    with pytest.raises(ValueError, match="left_size"):
        rk.utils.split_dataset(np.arange(10))


def test_new_optimizers_resume_bit_exactly_from_a_model_file(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.random((16, 4)).astype("float32"), rng.random((16, 1)).astype("float32")
    for name in ("nadam", "adamax", "adadelta", "lion", "adafactor", "ftrl", "lamb"):
        model = rk.Sequential([rk.Input((4,)), rk.layers.Dense(3), rk.layers.Dense(1)])
        model.compile(name, "huber")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
        model.save(tmp_path / "m.rg")
        again = rk.models.load_model(tmp_path / "m.rg")
        for m in (model, again):
            m.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
        assert np.array_equal(model.predict(x, verbose=0), again.predict(x, verbose=0)), name


def test_regularizer_serialize_round_trips_with_keras():
    """keras.regularizers.serialize/deserialize: the same dicts as Keras 3's, read
    both ways."""
    for name, args in (("L1", (0.3,)), ("L2", (0.05,)), ("L1L2", (0.1, 0.2))):
        ours = rk.regularizers.serialize(getattr(rk.regularizers, name)(*args))
        theirs = keras.regularizers.serialize(getattr(keras.regularizers, name)(*args))
        # (Keras's L1 keeps its factor as a float32 tensor: 0.3 is 0.30000001192…)
        assert {**ours, "config": None} == {**theirs, "config": None}
        assert ours["config"] == pytest.approx(theirs["config"], rel=1e-7)
        back = rk.regularizers.deserialize(theirs)
        assert type(back).__name__ == name
        assert back.get_config() == pytest.approx(theirs["config"], rel=1e-7)
        assert keras.regularizers.deserialize(ours).get_config() == \
            pytest.approx(theirs["config"], rel=1e-7)
    assert isinstance(rk.regularizers.deserialize("l2"), rk.regularizers.L2)
