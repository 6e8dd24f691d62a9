"""retrograd.utils.data against torch.utils.data: the same objects as
retrograd.data, and Subset, random_split, ConcatDataset with PyTorch's lengths,
order and errors."""
import numpy as np
import pytest

import retrograd as rg
from retrograd import data
from retrograd.utils import data as udata

torch = pytest.importorskip("torch")


def test_the_loader_names_are_retrograd_datas_objects():
    assert udata.DataLoader is data.DataLoader and udata.Dataset is data.Dataset
    assert udata.TensorDataset is data.TensorDataset
    from retrograd.data.dataloader import collate
    assert udata.default_collate is collate


def datasets(n=10):
    return (udata.TensorDataset(rg.arange(n), rg.arange(n) * 10),
            torch.utils.data.TensorDataset(torch.arange(n), torch.arange(n) * 10))


@pytest.mark.parametrize("n,lengths", [
    (10, [3, 7]), (10, [0.3, 0.3, 0.4]), (10, [0.33, 0.33, 0.34]), (10, [0.1] * 10),
    (7, [0.5, 0.5]), (7, [0.2, 0.3, 0.5]), (1000, [0.8, 0.1, 0.1]), (5, [1.0]),
])
def test_random_split_lengths_are_pytorchs(n, lengths):
    ours, theirs = datasets(n)
    a = udata.random_split(ours, lengths)
    b = torch.utils.data.random_split(theirs, lengths)
    assert [len(s) for s in a] == [len(s) for s in b]
    assert sorted(i for s in a for i in s.indices) == list(range(n))   # a partition
    assert all(isinstance(s, udata.Subset) and s.dataset is ours for s in a)


def test_an_empty_split_warns_as_in_pytorch():
    ours, theirs = datasets(2)
    with pytest.warns(UserWarning, match="index 1"):
        torch.utils.data.random_split(theirs, [0.1, 0.1, 0.8])
    with pytest.warns(UserWarning, match="index 1"):
        parts = udata.random_split(ours, [0.1, 0.1, 0.8])
    assert [len(p) for p in parts] == [1, 0, 1]


@pytest.mark.parametrize("lengths", [[3, 3], [0.5, 0.6], [0.5, 0.4], [11, -1]])
def test_random_split_refuses_what_pytorch_refuses(lengths):
    ours, theirs = datasets()
    if lengths != [11, -1]:                   # PyTorch accepts a negative count
        with pytest.raises(ValueError):
            torch.utils.data.random_split(theirs, lengths)
    with pytest.raises(ValueError, match="random_split"):
        udata.random_split(ours, lengths)


def test_random_split_is_seeded_by_generator_and_manual_seed():
    ours, _ = datasets(20)
    split = lambda g=None: [s.indices for s in udata.random_split(ours, [0.5, 0.5],
                                                                    generator=g)]
    assert split(rg.Generator().manual_seed(42)) == split(rg.Generator().manual_seed(42))
    assert split(rg.Generator().manual_seed(42)) != split(rg.Generator().manual_seed(43))
    rg.manual_seed(1)
    first = split()
    rg.manual_seed(1)
    assert split() == first


def test_subset_indexes_as_pytorchs():
    ours, theirs = datasets()
    a, b = udata.Subset(ours, [4, 1, 7]), torch.utils.data.Subset(theirs, [4, 1, 7])
    assert len(a) == len(b) == 3 and a.indices == b.indices
    for i in range(3):
        assert [t.item() for t in a[i]] == [t.item() for t in b[i]]
    assert [t.tolist() for t in a[[0, 2]]] == [t.tolist() for t in b[[0, 2]]]


def test_a_subset_batches_through_the_dataloader():
    ours, _ = datasets()
    train, _ = udata.random_split(ours, [0.8, 0.2], generator=rg.Generator().manual_seed(0))
    seen = []
    for x, y in udata.DataLoader(train, batch_size=3, shuffle=True):
        np.testing.assert_array_equal(y.numpy(), x.numpy() * 10)
        seen += x.numpy().tolist()
    assert sorted(seen) == sorted(train.indices)


def test_concat_dataset_is_pytorchs():
    (a1, b1), (a2, b2) = datasets(10), datasets(7)
    ours, theirs = udata.ConcatDataset([a1, a2]), torch.utils.data.ConcatDataset([b1, b2])
    assert len(ours) == len(theirs) == 17
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    for i in (0, 9, 10, 16, -1, -17):
        assert [t.item() for t in ours[i]] == [t.item() for t in theirs[i]]
    for i in (17, -18):
        with pytest.raises(Exception) as e:
            theirs[i]
        with pytest.raises(type(e.value)):
            ours[i]


def test_missing_pytorch_data_names_say_so():
    with pytest.raises(NotImplementedError, match="torch.utils.data.IterableDataset is not "
                                                  "in retrograd"):
        udata.IterableDataset
    assert not hasattr(udata, "WeightedRandomSampler")
    with pytest.raises(AttributeError):
        udata.no_such_thing
