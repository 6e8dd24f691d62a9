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
    with pytest.raises(NotImplementedError, match="torch.utils.data.DistributedSampler is not "
                                                  "in retrograd"):
        udata.DistributedSampler
    assert not hasattr(udata, "DistributedSampler")
    with pytest.raises(AttributeError):
        udata.no_such_thing


# -- DataLoader's arguments --------------------------------------------------------------
def batches(loader):
    """The batches as lists of Python values (tuples and lists alike)."""
    out = []
    for b in loader:
        out.append([t.tolist() for t in b] if isinstance(b, (tuple, list)) else b)
    return out


def both_loaders(*args, n=10, **kwargs):
    ours, theirs = datasets(n)
    return (udata.DataLoader(ours, *args, **kwargs),
            torch.utils.data.DataLoader(theirs, *args, **kwargs))


def same_batches(*args, **kwargs):
    ours, theirs = both_loaders(*args, **kwargs)
    assert batches(ours) == batches(theirs)
    assert len(ours) == len(theirs)
    return ours


@pytest.mark.parametrize("args,kwargs", [
    ((3,), {}), ((3, False), {}), ((3, None, None, None, 0, None, False, True), {}),
    ((4,), {"drop_last": True}), ((), {"batch_size": 10, "drop_last": True}),
    ((2,), {"num_workers": 0, "pin_memory": False, "timeout": 0, "prefetch_factor": None,
            "persistent_workers": False, "worker_init_fn": None, "in_order": True}),
])
def test_dataloader_takes_pytorchs_arguments_in_pytorchs_order(args, kwargs):
    same_batches(*args, **kwargs)


def test_positional_drop_last_is_the_ninth_argument_as_in_pytorch():
    loader = same_batches(3, False, None, None, 0, None, False, True)
    assert loader.drop_last is True and len(loader) == 3


@pytest.mark.parametrize("sampler", [
    lambda ds: [7, 1, 4, 4, 0], lambda ds: range(9, -1, -2),
    lambda ds: (torch.utils.data if isinstance(ds, torch.utils.data.Dataset) else udata)
    .SequentialSampler(ds),
])
@pytest.mark.parametrize("drop_last", [False, True])
def test_sampler_sets_the_order(sampler, drop_last):
    ours, theirs = datasets()
    a = udata.DataLoader(ours, batch_size=2, sampler=sampler(ours), drop_last=drop_last)
    b = torch.utils.data.DataLoader(theirs, batch_size=2, sampler=sampler(theirs),
                                    drop_last=drop_last)
    assert batches(a) == batches(b) and len(a) == len(b)


def test_batch_sampler_gives_the_batches():
    for bs in ([[0, 1], [5, 6, 7], [9]],
               lambda lib: lib.BatchSampler(lib.SequentialSampler(range(10)), 4, True)):
        ours, theirs = datasets()
        a = udata.DataLoader(ours, batch_sampler=bs(udata) if callable(bs) else bs)
        b = torch.utils.data.DataLoader(
            theirs, batch_sampler=bs(torch.utils.data) if callable(bs) else bs)
        assert batches(a) == batches(b) and len(a) == len(b)


def test_batch_sampler_matches_pytorchs():
    for drop_last in (False, True):
        ours = udata.BatchSampler(range(10), 3, drop_last)
        theirs = torch.utils.data.BatchSampler(range(10), 3, drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_collate_fn_makes_the_batch():
    ours, theirs = both_loaders(3, collate_fn=lambda samples: [len(samples), samples[0][1]])
    assert [[b[0], int(b[1])] for b in ours] == [[b[0], int(b[1])] for b in theirs]
    seen = [b for b in udata.DataLoader(datasets()[0], 4, collate_fn=lambda s: s)]
    assert [len(b) for b in seen] == [4, 4, 2] and isinstance(seen[0][0], tuple)


def test_the_random_samplers_visit_what_pytorchs_visit():
    ours, theirs = datasets()
    g = rg.Generator().manual_seed(0)
    for a, b in [(udata.RandomSampler(ours, generator=g),
                  torch.utils.data.RandomSampler(theirs)),
                 (udata.SubsetRandomSampler([3, 5, 8], generator=g),
                  torch.utils.data.SubsetRandomSampler([3, 5, 8]))]:
        assert sorted(a) == sorted(b) and len(a) == len(b)
    for kwargs in ({"replacement": True, "num_samples": 25}, {"num_samples": 25}):
        a = list(udata.RandomSampler(ours, generator=g, **kwargs))
        b = list(torch.utils.data.RandomSampler(theirs, **kwargs))
        assert len(a) == len(b) == 25 and set(a) <= set(range(10))
        if "replacement" not in kwargs:   # whole permutations first, then part of one
            assert sorted(a[:10]) == sorted(a[10:20]) == list(range(10))
            assert len(set(a[20:])) == len(set(b[20:])) == 5
    a = list(udata.WeightedRandomSampler([0.1, 0.9, 0.0], 50, generator=g))
    b = list(torch.utils.data.WeightedRandomSampler([0.1, 0.9, 0.0], 50))
    assert len(a) == len(b) == 50 and 2 not in a and a.count(1) > 30
    assert sorted(udata.WeightedRandomSampler([1, 1, 0, 1], 3, replacement=False,
                                              generator=g)) == [0, 1, 3]


def test_random_samplers_are_seeded():
    ours, _ = datasets(20)
    draw = lambda seed: list(udata.RandomSampler(ours, generator=rg.Generator()
                                                 .manual_seed(seed)))
    assert draw(1) == draw(1) != draw(2)
    s = udata.RandomSampler(ours, generator=5)      # an int: one generator, fresh passes
    assert list(s) != list(s)
    loader = udata.DataLoader(ours, 4, sampler=udata.SubsetRandomSampler(list(range(8)),
                                                                          generator=3))
    assert sorted(x for b in batches(loader) for x in b[0]) == list(range(8))


@pytest.mark.parametrize("kwargs", [
    {"sampler": [0, 1], "shuffle": True},
    {"batch_sampler": [[0]], "batch_size": 2}, {"batch_sampler": [[0]], "shuffle": True},
    {"batch_sampler": [[0]], "sampler": [0]}, {"batch_sampler": [[0]], "drop_last": True},
    {"num_workers": -1}, {"persistent_workers": True}, {"prefetch_factor": 2},
    {"timeout": -1}, {"multiprocessing_context": "spawn"}, {"batch_size": 0},
])
def test_dataloader_refuses_what_pytorch_refuses(kwargs):
    ours, theirs = datasets()
    with pytest.raises(ValueError):
        torch.utils.data.DataLoader(theirs, **kwargs)
    with pytest.raises(ValueError, match="DataLoader"):
        udata.DataLoader(ours, **kwargs)


@pytest.mark.parametrize("kwargs", [
    {"num_workers": 2, "match": "num_workers=2 .*main process"},
    {"timeout": 5, "match": "timeout=5 .*main process"},
    {"batch_size": None, "match": "batch_size=None"},
])
def test_worker_processes_and_unbatched_loading_are_refused_clearly(kwargs):
    match = kwargs.pop("match")
    with pytest.raises((NotImplementedError, ValueError), match=match):
        udata.DataLoader(datasets()[0], **kwargs)


def test_worker_init_fn_is_never_called_without_workers_as_in_pytorch():
    called = []
    ours, theirs = both_loaders(3, worker_init_fn=called.append)
    assert batches(ours) == batches(theirs) and called == []


@pytest.mark.skipif(torch.cuda.is_available(), reason="PyTorch warns only without a GPU")
def test_pin_memory_is_accepted_and_does_nothing():
    with pytest.warns(UserWarning, match="pin_memory"):
        theirs = batches(torch.utils.data.DataLoader(datasets()[1], 3, pin_memory=True))
    with pytest.warns(UserWarning, match="pin_memory.*does nothing"):
        ours = batches(udata.DataLoader(datasets()[0], 3, pin_memory=True))
    assert ours == theirs


def test_dataloader_attributes_are_pytorchs():
    ours, theirs = both_loaders(3)
    for name in ("batch_size", "drop_last", "num_workers", "pin_memory", "timeout",
                 "worker_init_fn", "prefetch_factor", "persistent_workers", "generator"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert type(ours.sampler).__name__ == type(theirs.sampler).__name__ == "SequentialSampler"
    assert type(ours.batch_sampler).__name__ == "BatchSampler"
    assert ours.collate_fn is udata.default_collate
    shuffled, theirs = both_loaders(3, shuffle=True)
    assert type(shuffled.sampler).__name__ == type(theirs.sampler).__name__


def test_subsets_and_samplers_are_retrograd_datas_too():
    for name in ("Subset", "random_split", "ConcatDataset", "Sampler", "SequentialSampler",
                 "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
                 "BatchSampler", "default_collate"):
        assert getattr(data, name) is getattr(udata, name)


def test_samplers_index_a_gpu_dataset_on_the_gpu(fake_cuda):
    x = rg.arange(10, device="cuda")
    ds = udata.TensorDataset(x, x * 10)
    for loader in (udata.DataLoader(ds, 3, sampler=[9, 2, 4, 4]),
                   udata.DataLoader(ds, batch_sampler=[[9, 2, 4], [4]]),
                   udata.DataLoader(ds, 3, shuffle=True, generator=0)):
        got = [(a.device, b.device, a.tolist(), b.tolist()) for a, b in loader]
        assert all(d == e == "cuda" for d, e, _, _ in got)
        assert all([v * 10 for v in a] == b for _, _, a, b in got)
    assert [a.tolist() for a, _ in udata.DataLoader(ds, 3, sampler=[9, 2, 4, 4])] == \
        [[9, 2, 4], [4]]
