"""Keras 3's preprocessing layers in retrograd.keras: image resizing, cropping and
augmentation (against real Keras 3 on the PyTorch backend where their outputs are
deterministic, by statistics where they draw), categorical and text layers, datasets
read from folders."""
import numpy as np
import pytest
from keras_parity import import_keras, value

from retrograd import keras as rk
from retrograd.keras import layers as rl

keras, torch = import_keras("its preprocessing layers")

RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(0, 255, (2, 7, 9, 3)).astype(np.float32)


def close(ours, theirs, atol=1e-4):
    a, b = value(ours), value(theirs)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64), atol=atol,
                               rtol=1e-5)


def test_geometric_layers_equal_keras_affine_transform_at_fixed_draws():
    """A factor (f, f) fixes Keras's draw: rotation, zoom and translation then equal
    Keras's ``affine_transform`` for every fill mode and interpolation, batched and
    not."""
    for fm in ("reflect", "wrap", "constant", "nearest"):
        for interp in ("bilinear", "nearest"):
            args = {"fill_mode": fm, "interpolation": interp, "fill_value": 3.0}
            for name, factors in (("RandomRotation", ((0.1, 0.1),)),
                                  ("RandomZoom", ((0.3, 0.3), (-0.2, -0.2))),
                                  ("RandomTranslation", ((0.2, 0.2), (-0.3, -0.3)))):
                close(getattr(rl, name)(*factors, **args)(IMAGES),
                      getattr(keras.layers, name)(*factors, **args)(IMAGES))
    close(rl.RandomRotation((-0.25, -0.25))(IMAGES[0]),
          keras.layers.RandomRotation((-0.25, -0.25))(IMAGES[0]))
    close(rl.RandomContrast((-0.5, 0.5))(IMAGES), keras.layers.RandomContrast((-0.5, 0.5))(
        IMAGES))
    close(rl.RandomBrightness((0.2, 0.2))(IMAGES), keras.layers.RandomBrightness((0.2, 0.2))(
        IMAGES))
    u8 = IMAGES.astype(np.uint8)
    close(rl.RandomBrightness((0.2, 0.2))(u8), keras.layers.RandomBrightness((0.2, 0.2))(u8))


def test_resizing_and_crops_equal_keras():
    for h, w in ((3, 4), (10, 5), (14, 18)):
        close(rl.Resizing(h, w, "bicubic", antialias=True)(IMAGES),
              keras.layers.Resizing(h, w, "bicubic", antialias=True)(IMAGES))
        for interp in ("bilinear", "nearest"):
            for crop, pad in ((False, False), (True, False), (False, True)):
                args = {"interpolation": interp, "crop_to_aspect_ratio": crop,
                        "pad_to_aspect_ratio": pad, "fill_value": 2.0}
                close(rl.Resizing(h, w, **args)(IMAGES),
                      keras.layers.Resizing(h, w, **args)(IMAGES))
        close(rl.CenterCrop(h, w)(IMAGES), keras.layers.CenterCrop(h, w)(IMAGES))
        # An image smaller than the box: cropped to its aspect ratio and resized.
        close(rl.RandomCrop(h, w)(IMAGES[:, :3, :4]),
              keras.layers.RandomCrop(h, w)(IMAGES[:, :3, :4]))
    u8 = IMAGES.astype(np.uint8)
    ours, theirs = value(rl.Resizing(4, 5)(u8)), value(keras.layers.Resizing(4, 5)(u8))
    assert ours.dtype == theirs.dtype == np.uint8
    assert np.abs(ours.astype(int) - theirs).max() <= 1     # ties of round() may differ
    close(rl.RandomCrop(2, 3)(IMAGES, training=False),
          keras.layers.RandomCrop(2, 3)(IMAGES, training=False))


def test_configs_equal_keras_and_round_trip():
    cases = [("RandomFlip", ("horizontal",), {"seed": 3}),
             ("RandomRotation", (0.1,), {"fill_mode": "constant"}),
             ("RandomZoom", (0.2, (-0.1, 0.3)), {}), ("RandomTranslation", (0.1, 0.2), {}),
             ("RandomContrast", (0.3,), {}), ("RandomBrightness", (0.2,), {}),
             ("RandomCrop", (4, 5), {"seed": 1}), ("Resizing", (4, 5), {}),
             ("CenterCrop", (4, 5), {})]
    for name, args, kwargs in cases:
        ours = getattr(rl, name)(*args, **kwargs).get_config()
        theirs = getattr(keras.layers, name)(*args, **kwargs).get_config()
        for key in set(theirs) - {"name", "dtype"}:
            assert np.all(np.asarray(ours[key], dtype=object) ==
                          np.asarray(theirs[key], dtype=object)), (name, key)
        again = getattr(rl, name).from_config(ours).get_config()
        assert again == ours


def test_bad_arguments_raise_keras_errors():
    with pytest.raises(ValueError, match="factor"):
        rl.RandomRotation(2.0)
    with pytest.raises(NotImplementedError, match="fill_mode"):
        rl.RandomZoom(0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match="unknown mode"):
        rl.RandomFlip("diagonal")
    with pytest.raises(ValueError, match="height_factor"):
        rl.RandomZoom(-1.0)
    with pytest.raises(ValueError, match="rank 3"):
        rl.RandomFlip()(np.zeros((4, 4), np.float32))
    with pytest.raises(ValueError, match="height"):
        rl.Resizing(0, 3)
    from retrograd.missing import NotSupportedError
    with pytest.raises(NotSupportedError, match="lanczos3"):
        rl.Resizing(3, 3, "lanczos3")


def test_random_layers_draw_in_range_and_are_the_identity_at_inference():
    x = np.arange(64 * 4 * 6 * 1, dtype=np.float32).reshape(64, 4, 6, 1)
    flip = rl.RandomFlip("horizontal", seed=0)
    y = value(flip(x))
    flipped = np.all(y == x[:, :, ::-1], axis=(1, 2, 3))
    assert np.all(flipped | np.all(y == x, axis=(1, 2, 3)))
    assert 16 <= flipped.sum() <= 48                        # about half of 64
    for layer in (flip, rl.RandomRotation(0.2), rl.RandomZoom(0.3), rl.RandomContrast(0.5),
                  rl.RandomTranslation(0.2, 0.2), rl.RandomBrightness(0.3)):
        np.testing.assert_array_equal(value(layer(x, training=False)), x)
    # Rotations: a point at the centre's right lands within ±factor·360°.
    img = np.zeros((64, 21, 21, 1), np.float32)
    img[:, 9:12, 16:19] = 1.0
    out = value(rl.RandomRotation(0.1, fill_mode="constant", seed=1)(img))[..., 0]
    rows, cols = np.mgrid[:21, :21]
    mass = out.sum(axis=(1, 2))
    r = (out * rows).sum(axis=(1, 2)) / mass - 10
    c = (out * cols).sum(axis=(1, 2)) / mass - 10
    angles = np.abs(np.degrees(np.arctan2(r, c)))
    assert angles.max() <= 36 + 1 and angles.max() > 20 and angles.min() < 10
    c = value(rl.RandomContrast(0.5, seed=2)(RNG.uniform(0, 255, (64, 3, 3, 1))))
    assert c.min() >= 0 and c.max() <= 255
    b = value(rl.RandomBrightness((0.1, 0.2), value_range=(0, 1), seed=2)(
        np.full((64, 2, 2, 1), 0.5, np.float32)))
    assert np.all((b >= 0.6 - 1e-6) & (b <= 0.7 + 1e-6))


def test_modes_in_a_model_and_keras_file_round_trip(tmp_path):
    """Inside a model: ``fit`` augments, ``predict`` does not; the model saves and
    loads with its augmentation layers; gradients flow through the transforms."""
    model = rk.Sequential([rk.Input((8, 8, 3)), rl.RandomFlip("horizontal"),
                           rl.RandomRotation(0.1), rl.RandomZoom(0.1),
                           rl.Rescaling(1 / 255), rl.Conv2D(4, 3, activation="relu"),
                           rl.Flatten(), rl.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x = RNG.uniform(0, 255, (64, 8, 8, 3)).astype(np.float32)
    y = np.arange(64) % 2
    history = model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    p1, p2 = model.predict(x[:4], verbose=0), model.predict(x[:4], verbose=0)
    np.testing.assert_array_equal(p1, p2)
    # Keras's rule: training= above (fit, predict, evaluate) or the layer's default.
    seen = []

    class Spy(rl.Layer):
        def call(self, inputs):
            seen.append(value(inputs))
            return inputs

    probe = rk.Sequential([rk.Input((2, 2, 1)), rl.RandomBrightness((1.0, 1.0),
                                                                    value_range=(0, 9)),
                           Spy(), rl.Flatten(), rl.Dense(1)])
    probe.compile("sgd", "mse")
    ones = np.ones((4, 2, 2, 1), np.float32)
    probe.fit(ones, np.zeros(4), verbose=0)
    probe.predict(ones, verbose=0)
    probe(ones)
    probe(ones, training=False)
    assert [float(s.max()) for s in seen[-4:]] == [9.0, 1.0, 9.0, 1.0]
    model.save(tmp_path / "aug.keras")
    loaded = rk.models.load_model(tmp_path / "aug.keras")
    assert [type(l).__name__ for l in loaded.layers[:3]] == ["RandomFlip", "RandomRotation",
                                                             "RandomZoom"]
    np.testing.assert_allclose(loaded.predict(x[:4], verbose=0), p1, rtol=1e-6)
    theirs = keras.models.load_model(tmp_path / "aug.keras")      # real Keras reads it
    assert [type(l).__name__ for l in theirs.layers[:3]] == ["RandomFlip", "RandomRotation",
                                                             "RandomZoom"]
    np.testing.assert_allclose(value(theirs.predict(x[:4], verbose=0)), p1, atol=1e-5)
    import retrograd as rg
    t = rg.tensor(IMAGES, requires_grad=True)
    (rl.RandomRotation((0.1, 0.1))(t) + rl.Resizing(3, 4)(t).sum()).sum().backward()
    assert t.grad is not None and np.isfinite(value(t.grad)).all()


# -- categorical and text layers ----------------------------------------------------------
def test_category_encoding_and_discretization_equal_keras():
    """Both run on Keras's PyTorch backend: outputs equal on every mode and rank; the
    quantile boundaries of ``adapt`` equal Keras's own summary functions (its adapt
    itself needs TensorFlow)."""
    inputs = [np.array([0, 1, 3]), np.array([[0], [2]]), np.array([[0, 1, 1], [2, 3, 3]]),
              np.array(2)]
    for mode in ("one_hot", "multi_hot", "count"):
        for x in inputs:
            close(rl.CategoryEncoding(4, output_mode=mode)(x),
                  keras.layers.CategoryEncoding(num_tokens=4, output_mode=mode)(x))
    w = np.array([[0.5, 1.0, 2.0]])
    close(rl.CategoryEncoding(4, "count")(np.array([[0, 1, 1]]), count_weights=w),
          keras.layers.CategoryEncoding(4, "count")(np.array([[0, 1, 1]]), count_weights=w))
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        rl.CategoryEncoding(4)(np.array([[0, 5]]))
    x = np.array([[-1.0, 0.0, 0.5, 1.5, 2.0, 3.0]], np.float32)
    for mode in ("int", "one_hot", "multi_hot", "count"):
        close(rl.Discretization(bin_boundaries=[0.0, 1.0, 2.0], output_mode=mode)(x),
              keras.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0],
                                          output_mode=mode)(x))
    from keras.src.layers.preprocessing import discretization as kd
    for data, bins, eps in ((RNG.normal(size=(200, 1)), 4, 0.01),
                            (np.array([1.0, 1, 1, 2, 5, 9, 9, 9, 30]), 3, 0.01),
                            (RNG.exponential(size=500), 5, 0.05)):
        d = rl.Discretization(num_bins=bins, epsilon=eps)
        d.adapt(data)
        s = kd.merge_summaries(kd.summarize(np.array(data, np.float32), eps),
                               np.array([[], []], np.float32), eps)
        np.testing.assert_allclose(d.bin_boundaries, kd.get_bin_boundaries(s, bins).tolist())
    assert rl.Discretization.from_config(d.get_config()).bin_boundaries == d.bin_boundaries


def test_string_and_integer_lookups_follow_keras_documented_behaviour():
    """Keras's lookups need TensorFlow even on the PyTorch backend (ImportError), so
    these check the behaviour its documentation and index_lookup.py define: the index
    layout, the adapt order (count down, ties by token down), OOV buckets, invert,
    the encodings and tf-idf = count · log(1 + N/(1 + df))."""
    data = np.array([["a", "c", "d"], ["d", "z", "b"]])
    vocab = ["a", "b", "c", "d"]
    np.testing.assert_array_equal(value(rl.StringLookup(vocabulary=vocab)(data)),
                                  [[1, 3, 4], [4, 0, 2]])
    assert value(rl.StringLookup(vocabulary=vocab)(data)).dtype == np.int64
    layer = rl.StringLookup()
    layer.adapt(data)
    assert layer.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    masked = rl.StringLookup(vocabulary=vocab, mask_token="")
    np.testing.assert_array_equal(value(masked(np.array([["a", "", "q"]]))), [[2, 0, 1]])
    assert masked.get_vocabulary() == ["", "[UNK]"] + vocab
    inverse = rl.StringLookup(vocabulary=vocab, invert=True)
    assert inverse(np.array([[1, 3, 4], [4, 0, 2]])).tolist() == [["a", "c", "d"],
                                                                  ["d", "[UNK]", "b"]]
    np.testing.assert_array_equal(
        value(rl.StringLookup(vocabulary=vocab, output_mode="multi_hot")(data)),
        [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])
    np.testing.assert_array_equal(
        value(rl.StringLookup(vocabulary=vocab, output_mode="one_hot")(np.array(
            ["a", "b", "z"]))), np.eye(5)[[1, 2, 0]])
    idf = [0.25, 0.75, 0.6, 0.4]
    tfidf = rl.StringLookup(output_mode="tf_idf", vocabulary=vocab, idf_weights=idf)
    np.testing.assert_allclose(value(tfidf(data)), [[0, 0.25, 0, 0.6, 0.4],
                                                    [0.5, 0, 0.75, 0, 0.4]], rtol=1e-6)
    learnt = rl.StringLookup(output_mode="tf_idf")
    learnt.adapt([["b", "a", "b"], ["c", "a", "d"]])
    df = {"b": 1, "a": 2, "d": 1, "c": 1}
    weights = [np.log(1 + 2 / (1 + df[t])) for t in learnt.get_vocabulary()[1:]]
    np.testing.assert_allclose(learnt.idf_weights, [np.mean(weights)] + weights, rtol=1e-6)
    again = rl.StringLookup.from_config(learnt.get_config())
    np.testing.assert_allclose(value(again(data)), value(learnt(data)))
    ints = rl.IntegerLookup(vocabulary=[12, 36, 1138, 42], num_oov_indices=2)
    np.testing.assert_array_equal(value(ints(np.array([[12, 1138, 42], [42, 1000, 36]]))),
                                  [[2, 4, 5], [5, 0, 3]])
    adapted = rl.IntegerLookup(max_tokens=4)
    adapted.adapt(np.array([[12, 1138, 42], [42, 1000, 36], [36, 21, 21]]))
    assert adapted.get_vocabulary() == [-1, 42, 36, 21]
    # Keras's own integer_lookup_test.py test_adapt_flow, mode by mode.
    adapt = [1, 1, 1, 2, 2, 3]
    for mode, x, want in (("int", [[1, 2, 4], [2, 3, 5]], [[1, 2, 0], [2, 3, 0]]),
                          ("one_hot", [1, 2, 4], [[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0]]),
                          ("multi_hot", [1, 2, 4], [1, 1, 1, 0]),
                          ("tf_idf", [1, 2, 4], [1.133732, 0.916291, 1.098612, 0.0]),
                          ("count", [1, 2, 3, 4, 1, 2, 1], [1, 3, 2, 1])):
        layer = rl.IntegerLookup(output_mode=mode)
        layer.adapt(adapt)
        np.testing.assert_allclose(value(layer(x)), want, rtol=1e-5)
    from retrograd.missing import NotSupportedError
    with pytest.raises(NotSupportedError, match="FarmHash"):
        rl.StringLookup(vocabulary=vocab, num_oov_indices=2)(data)
    # Keras's string_lookup_test: one_hot of (2, 2, 2) known tokens with 4 OOV ids.
    hot = rl.StringLookup(max_tokens=20, num_oov_indices=4, vocabulary=list("abcdefghi"),
                          output_mode="one_hot", pad_to_max_tokens=True)
    out = value(hot(np.array([[["a", "b"], ["c", "d"]], [["a", "b"], ["c", "d"]]])))
    assert out.shape == (2, 2, 2, 20) and out[0, 0, 0, 4] == 1 and out.sum() == 8
    with pytest.raises(NotSupportedError, match="FarmHash"):
        _ = rl.Hashing
    with pytest.raises(ValueError, match="all inputs should be in vocabulary"):
        rl.StringLookup(vocabulary=vocab, num_oov_indices=0)(data)
    with pytest.raises(ValueError, match="repeated"):
        rl.StringLookup(vocabulary=["a", "a"])


def test_text_vectorization_pipeline_and_vocabulary():
    """Keras's TextVectorization needs TensorFlow (ImportError on the PyTorch
    backend): checked against its documented steps (standardize, split, n-grams, the
    StringLookup with mask "" and OOV "[UNK]", padding to output_sequence_length)."""
    # Keras's own tests (text_vectorization_test.py, string_lookup_test.py:
    # test_adapt_flow), whose expected ids fix the order of ties.
    keras_case = rl.TextVectorization(max_tokens=5000, output_sequence_length=4)
    keras_case.adapt(["foo bar", "bar baz", "baz bada boom"])
    np.testing.assert_array_equal(value(keras_case([["foo qux bar"], ["qux baz"]])),
                                  [[4, 1, 3, 0], [1, 2, 0, 0]])
    lookup_case = rl.StringLookup()
    lookup_case.adapt(["a", "a", "a", "b", "b", "c"])
    np.testing.assert_array_equal(value(lookup_case(["b", "c", "d"])), [2, 3, 0])
    texts = np.array(["The cat sat.", "The dog, the CAT!", "a Dog's life"])
    tv = rl.TextVectorization()
    tv.adapt(texts)
    assert tv.get_vocabulary() == ["", "[UNK]", "the", "cat", "sat", "life", "dogs", "dog",
                                   "a"]
    np.testing.assert_array_equal(value(tv(texts)), [[2, 3, 4, 0], [2, 7, 2, 3],
                                                     [8, 6, 5, 0]])
    short = rl.TextVectorization(max_tokens=5, output_sequence_length=3)
    short.adapt(texts)
    assert short.get_vocabulary() == ["", "[UNK]", "the", "cat", "sat"]
    np.testing.assert_array_equal(value(short(np.array([["the zebra"], ["cat the the cat"]]))),
                                  [[2, 1, 0], [3, 2, 2]])
    bigrams = rl.TextVectorization(output_mode="count", ngrams=2, standardize="lower")
    bigrams.set_vocabulary(["the", "the cat", "cat"])
    np.testing.assert_array_equal(value(bigrams(["The cat the cat the"])), [[2, 3, 2, 2]])
    chars = rl.TextVectorization(split="character", standardize=None)
    chars.adapt(["abca"])
    assert chars.get_vocabulary() == ["", "[UNK]", "a", "c", "b"]
    config = chars.get_config()
    assert config["vocabulary"] == ["a", "c", "b"]
    np.testing.assert_array_equal(value(rl.TextVectorization.from_config(config)(["abz"])),
                                  [[2, 4, 1]])
    ids = value(tv(texts))
    inner = rk.Sequential([rk.Input((4,)), rl.Embedding(tv.vocabulary_size(), 4),
                           rl.GlobalAveragePooling1D(), rl.Dense(1, activation="sigmoid")])
    inner.compile("adam", "binary_crossentropy")
    assert np.isfinite(inner.fit(ids, np.array([0, 1, 0]), epochs=1, verbose=0)
                       .history["loss"][0])


# -- image files and folder datasets ------------------------------------------------------
def _image_folder(root, sizes=(12, 13, 14, 15, 16)):
    Image = pytest.importorskip("PIL.Image", reason="image files are read through Pillow")
    rng = np.random.default_rng(1)
    for name in ("cats", "dogs"):
        (root / name).mkdir(parents=True)
        for i, h in enumerate(sizes):
            Image.fromarray(rng.integers(0, 255, (h, 10, 3), dtype=np.uint8)).save(
                root / name / f"{i}.png")
    (root / "cats" / "notes.txt").write_text("not an image")
    (root / ".hidden").mkdir()
    return Image


def test_image_files_equal_keras_utils(tmp_path):
    Image = _image_folder(tmp_path)
    path = tmp_path / "cats" / "3.png"
    for kwargs in ({}, {"target_size": (6, 7)}, {"color_mode": "grayscale"},
                   {"color_mode": "rgba", "target_size": (5, 5), "keep_aspect_ratio": True,
                    "interpolation": "bilinear"}):
        ours = rk.utils.img_to_array(rk.utils.load_img(path, **kwargs))
        theirs = keras.utils.img_to_array(keras.utils.load_img(path, **kwargs))
        np.testing.assert_array_equal(ours, theirs)
        assert ours.dtype == theirs.dtype
    x = RNG.uniform(-3, 5, (4, 5, 3)).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(rk.utils.array_to_img(x)),
                                  np.asarray(keras.utils.array_to_img(x)))
    rk.utils.save_img(tmp_path / "out.png", x)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "out.png")),
                                  np.asarray(keras.utils.array_to_img(x)))
    np.testing.assert_allclose(rk.preprocessing.image.smart_resize(x, (3, 2)),
                               value(keras.preprocessing.image.smart_resize(x, (3, 2))),
                               atol=1e-4)
    with pytest.raises(ValueError, match="color_mode"):
        rk.utils.load_img(path, color_mode="cmyk")


def test_image_dataset_from_directory_lists_labels_splits_and_fits(tmp_path):
    _image_folder(tmp_path)
    from keras.src.utils import dataset_utils as kd
    ds = rk.utils.image_dataset_from_directory(tmp_path, image_size=(8, 8), batch_size=4,
                                               seed=1, verbose=False)
    paths, labels, names = kd.index_directory(str(tmp_path), "inferred", (".png",),
                                              shuffle=True, seed=1)
    assert ds.file_paths == paths and ds.class_names == names == ["cats", "dogs"]
    batches = list(ds)
    assert [x.shape for x, _ in batches] == [(4, 8, 8, 3), (4, 8, 8, 3), (2, 8, 8, 3)]
    np.testing.assert_array_equal(batches[0][1], labels[:4])
    first = np.asarray(keras.utils.load_img(paths[0]), np.float32)[None]
    np.testing.assert_allclose(batches[0][0][0], value(keras.layers.Resizing(8, 8)(first))[0],
                               atol=1e-3)
    train, val = rk.utils.image_dataset_from_directory(
        tmp_path, image_size=(8, 8), batch_size=4, seed=1, validation_split=0.2,
        subset="both", label_mode="categorical", verbose=False)
    k_train = kd.get_training_or_validation_split(paths, labels, 0.2, "training")[0]
    assert train.file_paths == k_train and not set(train.file_paths) & set(val.file_paths)
    _, y = next(iter(val))
    assert y.dtype == np.float32 and y.shape == (2, 2)
    model = rk.Sequential([rk.Input((8, 8, 3)), rl.RandomFlip("horizontal"),
                           rl.Rescaling(1 / 255), rl.Conv2D(2, 3), rl.Flatten(),
                           rl.Dense(2, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train, validation_data=val, epochs=2, verbose=0)
    assert len(history.history["val_loss"]) == 2
    # tf.data's pattern: augment in the pipeline; the layers, not in the model, augment.
    flips = []
    augment = rl.RandomFlip("horizontal", seed=0)

    def mapped(x, y):
        out = value(augment(x))
        flips.append(np.any(out != x))
        return out, y

    model.fit(train.map(mapped).prefetch(2), epochs=2, verbose=0)
    assert any(flips)
    assert model.predict(val, verbose=0).shape == (2, 2)
    with pytest.raises(ValueError, match="seed"):
        rk.utils.image_dataset_from_directory(tmp_path, validation_split=0.2,
                                              subset="training")
    with pytest.raises(ValueError, match="class_names"):
        rk.utils.image_dataset_from_directory(tmp_path, class_names=["cats", "birds"])


def test_text_dataset_from_directory(tmp_path):
    for name, texts in (("neg", ["bad film", "awful"]), ("pos", ["great", "loved it", "fine"])):
        (tmp_path / name).mkdir()
        for i, t in enumerate(texts):
            (tmp_path / name / f"{i}.txt").write_text(t)
    ds = rk.utils.text_dataset_from_directory(tmp_path, batch_size=2, shuffle=False,
                                              max_length=5, label_mode="binary",
                                              verbose=False)
    x, y = next(iter(ds))
    assert x.tolist() == ["bad f", "awful"] and y.tolist() == [[0.0], [0.0]]
    assert ds.class_names == ["neg", "pos"] and len(ds) == 3
    vectorize = rl.TextVectorization(output_mode="multi_hot")
    vectorize.adapt(ds.map(lambda x, y: x))
    assert set(vectorize.get_vocabulary()) == {"[UNK]", "bad", "f", "awful", "great",
                                               "loved", "fine"}   # cut at 5 characters


def test_image_layers_on_every_device(device):
    """Every image layer keeps its input's device (fake-cuda: NumPy posing as CuPy,
    which refuses host arrays mixed with device ones)."""
    import retrograd as rg
    x = rg.tensor(IMAGES, device=device)
    ref = [value(layer(IMAGES)) for layer in (rl.RandomRotation((0.1, 0.1),
                                                                fill_mode="constant"),
                                              rl.Resizing(4, 5), rl.CenterCrop(3, 3))]
    for layer in (rl.RandomFlip(), rl.RandomRotation(0.2, fill_mode="constant", fill_value=1),
                  rl.RandomZoom(0.2), rl.RandomTranslation(0.1, 0.1), rl.RandomContrast(0.3),
                  rl.RandomBrightness(0.2), rl.RandomCrop(3, 4), rl.Resizing(4, 5),
                  rl.CenterCrop(3, 3), rl.Resizing(8, 10, pad_to_aspect_ratio=True)):
        assert layer(x).device == device, type(layer).__name__
    for layer, want in zip((rl.RandomRotation((0.1, 0.1), fill_mode="constant"),
                            rl.Resizing(4, 5), rl.CenterCrop(3, 3)), ref):
        np.testing.assert_allclose(value(layer(x)), want, rtol=1e-6)


def test_pillow_missing_gives_a_clear_error(monkeypatch, tmp_path):
    import sys
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="pip install pillow"):
        rk.utils.load_img(tmp_path / "x.png")
    with pytest.raises(ImportError, match="pip install pillow"):
        rk.utils.image_dataset_from_directory(tmp_path)


def test_lookup_and_encoding_layers_in_a_saved_model(tmp_path):
    """An adapted IntegerLookup feeding CategoryEncoding in a functional model fits,
    and its .keras file reloads with the learnt vocabulary (kept in the config)."""
    x = np.array([[12, 36, 5], [42, 12, 12]] * 8)
    lookup = rl.IntegerLookup()
    lookup.adapt(x)
    assert lookup.get_vocabulary() == [-1, 12, 42, 36, 5]
    inputs = rk.Input((3,), dtype="int64")
    counts = rl.CategoryEncoding(lookup.vocabulary_size(), "count")(lookup(inputs))
    model = rk.Model(inputs, rl.Dense(1)(counts))
    assert model.output_shape == (None, 1)
    model.compile("adam", "mse")
    model.fit(x, np.ones(16), epochs=1, verbose=0)
    model.save(tmp_path / "lookup.keras")
    loaded = rk.models.load_model(tmp_path / "lookup.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.layers[1].get_vocabulary() == lookup.get_vocabulary()


def test_text_vectorization_equals_keras_own_tests():
    """The cases of Keras 3.15's text_vectorization_test.py that need no TensorFlow
    tensor in the test itself, with their expected outputs (Keras's layer needs
    TensorFlow to run, so its tests' numbers are the oracle)."""
    def np_standardize(text):
        assert text.dtype.kind == "U"           # as Keras's non-TF backends give it
        return np.char.replace(np.char.lower(text), ",", "")

    tv = rl.TextVectorization
    cases = [
        (tv(output_mode="multi_hot", vocabulary=["foo", "bar", "baz"]),
         [["foo bar"], ["baz foo foo"]], [[0, 1, 1, 0], [0, 1, 0, 1]]),
        (tv(output_mode="count", vocabulary=["foo", "bar", "baz"]),
         ["foo bar", "baz foo foo"], [[0, 1, 1, 0], [0, 2, 0, 1]]),
        (tv(output_mode="tf_idf", vocabulary=["foo", "bar", "baz"],
            idf_weights=[0.3, 0.5, 0.2]),
         ["foo bar", "baz foo foo"], [[0.0, 0.3, 0.5, 0.0], [0.0, 0.6, 0.0, 0.2]]),
        (tv(vocabulary=["hello", "world", "this", "is", "nice", "test"]),
         ["Hello, World!. This is just a nice test!"], [[2, 3, 4, 5, 1, 1, 6, 7]]),
        (tv(standardize="lower", vocabulary=["hello,", "hello", "world", "this", "is", "nice",
                                             "test"]),
         ["Hello, World!. This is just a nice test!"], [[2, 1, 5, 6, 1, 1, 7, 1]]),
        (tv(split="character", vocabulary=list("abcde")), ["abcf"], [[2, 3, 4, 1]]),
        (tv(standardize="strip_punctuation", vocabulary=["Hello", "World", "Test"]),
         ["Hello, World! Test."], [[2, 3, 4]]),
        (tv(standardize=None, vocabulary=["Hello", "world"]), ["Hello hello"], [[2, 1]]),
        (tv(split=lambda t: np.char.split(t, "|"), vocabulary=["foo", "bar", "foobar"]),
         ["foo|bar"], [[4]]),      # "|" is stripped as punctuation before the split
        (tv(split=None, vocabulary=["foo", "bar", "baz"]), [["foo"], ["bar"], ["unknown"]],
         [[2], [3], [1]]),
    ]
    for layer, x, want in cases:
        np.testing.assert_allclose(value(layer(x)), want, rtol=1e-6)
    layer = tv(standardize=np_standardize)
    layer.adapt(["Hello, world."])
    assert {"hello", "world."} <= set(layer.get_vocabulary())
    for ngrams, present, absent in ((2, ["foo bar", "bar baz"], []),
                                    ((1, 3), ["foo", "foo bar baz"], ["foo bar"])):
        layer = tv(ngrams=ngrams)
        layer.adapt(["foo bar baz"])
        vocab = layer.get_vocabulary()
        assert all(t in vocab for t in present) and not any(t in vocab for t in absent)
    layer = tv(max_tokens=5)
    layer.adapt(["a b c d e f g h i j"])
    assert len(layer.get_vocabulary()) == 5
