"""DataLoader: every sample once per epoch, reproducible shuffles, drop_last, no copies."""
import numpy as np
import pytest

import retrograd as rg
from retrograd.data import DataLoader, Dataset, TensorDataset

N = 23


def data():
    X = np.arange(N * 3, dtype=np.float32).reshape(N, 3)
    y = np.arange(N)
    return X, y


def epoch_labels(loader):
    return np.concatenate([yb.numpy() for _, yb in loader])


@pytest.mark.parametrize("batch_size", [1, 4, 5, N, 100])
@pytest.mark.parametrize("shuffle", [False, True])
def test_every_sample_once_per_epoch(batch_size, shuffle):
    X, y = data()
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle,
                        generator=0)
    for _ in range(2):
        batches = list(loader)
        assert len(batches) == len(loader) == -(-N // batch_size)
        labels = np.concatenate([yb.numpy() for _, yb in batches])
        assert sorted(labels.tolist()) == list(range(N))
        if not shuffle:
            assert labels.tolist() == list(range(N))
        for xb, yb in batches:             # rows stay paired with their labels
            np.testing.assert_array_equal(xb.numpy(), X[yb.numpy()])
        assert all(len(yb) == batch_size for _, yb in batches[:-1])


def test_online_and_full_batch_modes():
    X, y = data()
    ds = TensorDataset(X, y)
    assert [len(yb) for _, yb in DataLoader(ds, batch_size=1)] == [1] * N
    (xb, yb), = list(DataLoader(ds, batch_size=N))
    assert xb.shape == (N, 3)


def test_shuffle_is_reproducible_with_a_generator():
    X, y = data()
    ds = TensorDataset(X, y)
    a = DataLoader(ds, batch_size=4, shuffle=True, generator=np.random.default_rng(7))
    b = DataLoader(ds, batch_size=4, shuffle=True, generator=np.random.default_rng(7))
    ea1, ea2 = epoch_labels(a), epoch_labels(a)
    eb1, eb2 = epoch_labels(b), epoch_labels(b)
    np.testing.assert_array_equal(ea1, eb1)
    np.testing.assert_array_equal(ea2, eb2)
    assert not np.array_equal(ea1, ea2)                # a new order each epoch
    assert not np.array_equal(ea1, np.arange(N))
    c = DataLoader(ds, batch_size=4, shuffle=True, generator=8)
    assert not np.array_equal(epoch_labels(c), ea1)
    # An int seed behaves like a generator made from it.
    d = DataLoader(ds, batch_size=4, shuffle=True, generator=7)
    np.testing.assert_array_equal(epoch_labels(d), ea1)


def test_default_generator_follows_manual_seed():
    X, y = data()
    loader = DataLoader(TensorDataset(X, y), batch_size=5, shuffle=True)
    rg.manual_seed(3)
    first = epoch_labels(loader)
    rg.manual_seed(3)
    np.testing.assert_array_equal(epoch_labels(loader), first)


@pytest.mark.parametrize("shuffle", [False, True])
def test_drop_last(shuffle):
    X, y = data()
    loader = DataLoader(TensorDataset(X, y), batch_size=5, shuffle=shuffle, drop_last=True,
                        generator=1)
    batches = list(loader)
    assert len(batches) == len(loader) == N // 5
    assert all(len(yb) == 5 for _, yb in batches)
    labels = epoch_labels(loader)
    assert len(set(labels.tolist())) == 20                  # 3 samples dropped, no repeat
    exact = DataLoader(TensorDataset(X[:20], y[:20]), batch_size=5, drop_last=True)
    assert len(list(exact)) == len(exact) == 4


def test_batches_in_order_are_views_and_shuffled_ones_copy_only_the_batch():
    X, y = data()
    for xb, yb in DataLoader(TensorDataset(X, y), batch_size=4):
        assert np.shares_memory(xb.array, X) and np.shares_memory(yb.array, y)
    for xb, _ in DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True, generator=0):
        assert not np.shares_memory(xb.array, X) and xb.shape[0] <= 4
        assert xb.dtype == np.float32


def test_tensor_dataset_accepts_tensors_and_checks_lengths():
    X, y = data()
    ds = TensorDataset(rg.tensor(X), y)
    assert len(ds) == N
    x0, y0 = ds[2]
    np.testing.assert_array_equal(x0.numpy(), X[2])
    assert int(y0) == 2
    with pytest.raises(ValueError, match=r"same number of samples.*\(23, 3\), \(22,\)"):
        TensorDataset(X, y[:-1])
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(ValueError, match="argument 1"):
        TensorDataset(X, 3.0)


class Squares(Dataset):
    def __len__(self):
        return 7

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=np.float64), i % 2


def test_generic_dataset_is_collated():
    batches = list(DataLoader(Squares(), batch_size=3))
    assert [xb.shape for xb, _ in batches] == [(3, 2), (3, 2), (1, 2)]
    np.testing.assert_array_equal(batches[1][0].numpy(), [[3, 9], [4, 16], [5, 25]])
    np.testing.assert_array_equal(batches[1][1].numpy(), [1, 0, 1])
    shuffled = np.concatenate([xb.numpy()[:, 0] for xb, _ in
                               DataLoader(Squares(), batch_size=2, shuffle=True, generator=0)])
    assert sorted(shuffled.tolist()) == list(range(7))


def test_empty_dataset_yields_nothing():
    loader = DataLoader(TensorDataset(np.zeros((0, 2))), batch_size=3, shuffle=True)
    assert list(loader) == [] and len(loader) == 0


@pytest.mark.parametrize("bs", [0, -1, 2.5, True, None])
def test_bad_batch_size(bs):
    with pytest.raises(ValueError, match=f"batch_size={bs!r}"):
        DataLoader(TensorDataset(np.zeros((4, 2))), batch_size=bs)


def test_bad_dataset_and_generator():
    with pytest.raises(TypeError, match="__len__ and __getitem__"):
        DataLoader(42)
    with pytest.raises(TypeError, match="generator"):
        DataLoader(TensorDataset(np.zeros((4, 2))), shuffle=True, generator="seed")
