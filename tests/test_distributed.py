"""retrograd.distributed in one process: the sampler's sharding, the one-process world
(no mpi4py needed), bucketing and the errors. The multi-process behaviour is tested
under mpirun in test_distributed_mpi.py."""
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import retrograd as rg
from retrograd import distributed as dist
from retrograd.distributed import buckets, world


@pytest.fixture(autouse=True)
def _fresh_world(monkeypatch):
    """Each test starts without an initialised world and outside any MPI launcher."""
    monkeypatch.setattr(world, "_world", None)
    for name in world._SIZE_VARIABLES + world._RANK_VARIABLES + world._SLURM_TASKS:
        monkeypatch.delenv(name, raising=False)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 60), p=st.integers(1, 5), b=st.integers(1, 17),
       epoch=st.integers(0, 3), shuffle=st.booleans())
def test_global_batches_are_split_exactly_between_ranks(n, p, b, epoch, shuffle):
    """The ranks' shares of each global batch partition it, in the one-process order."""
    b = max(b, p)
    samplers = [dist.DistributedSampler(n, r, p, shuffle=shuffle, seed=3) for r in range(p)]
    for s in samplers:
        s.set_epoch(epoch)
    one = dist.DistributedSampler(n, 0, 1, shuffle=shuffle, seed=3)
    one.set_epoch(epoch)
    reference = list(one.batches(b))
    shares = [list(s.batches(b)) for s in samplers]
    assert all(len(s) == samplers[0].num_batches(b) for s in shares)
    kept = [batch for batch in reference if len(batch) >= p]  # a tail < p ranks is dropped
    assert len(shares[0]) == len(kept)
    for t, batch in enumerate(kept):
        parts = [shares[r][t] for r in range(p)]
        assert all(len(part) >= 1 for part in parts)
        assert sorted(np.concatenate(parts).tolist()) == sorted(batch.tolist())


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 50), p=st.integers(1, 6), drop_last=st.booleans())
def test_iteration_shards_like_pytorch(n, p, drop_last):
    """iter(): equal lengths on every rank; together every sample (padded by repeats)
    or, with drop_last, disjoint shares."""
    samplers = [dist.DistributedSampler(n, r, p, seed=1, drop_last=drop_last)
                for r in range(p)]
    shares = [list(s) for s in samplers]
    assert all(len(s) == len(samplers[0]) for s in shares)
    union = [i for s in shares for i in s]
    if drop_last:
        assert len(set(union)) == len(union) == (n // p) * p
    else:
        assert set(union) == set(range(n)) and len(union) == -(-n // p) * p


def test_epochs_reshuffle_and_seeds_agree():
    a, b = dist.DistributedSampler(20, 0, 2, seed=5), dist.DistributedSampler(20, 1, 2, seed=5)
    assert np.array_equal(a.order(), b.order())
    first = a.order()
    a.set_epoch(1)
    assert not np.array_equal(first, a.order())
    assert list(dist.DistributedSampler(6, 0, 1, shuffle=False)) == [0, 1, 2, 3, 4, 5]


def test_sampler_errors_name_the_value():
    with pytest.raises(ValueError, match="rank must be in 0..1, got 2"):
        dist.DistributedSampler(10, 2, 2)
    with pytest.raises(ValueError, match="world_size must be >= 1, got 0"):
        dist.DistributedSampler(10, 0, 0)
    with pytest.raises(ValueError, match="n must be .* got -1"):
        dist.DistributedSampler(-1)
    with pytest.raises(ValueError, match="batch_size must be an integer >= world_size=4, got 3"):
        next(dist.DistributedSampler(10, 0, 4).batches(3))
    with pytest.raises(ValueError, match="epoch must be an integer >= 0, got -1"):
        dist.DistributedSampler(10).set_epoch(-1)


def test_one_process_world_without_a_launcher(monkeypatch):
    """No launcher: a one-process world, collectives return at once, mpi4py untouched."""
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # as if it were not installed
    w = dist.init(timeout=5)
    assert (w.rank, w.size, w.is_chief, w.is_distributed, w.comm) == (0, 1, True, False, None)
    assert dist.init() is w and dist.get_world() is w
    p = rg.tensor([1.0, 2.0], requires_grad=True)
    (p * p).sum().backward()
    dist.allreduce_gradients([p])
    dist.broadcast_parameters([p])
    np.testing.assert_array_equal(p.grad.numpy(), [2.0, 4.0])
    assert dist.allreduce_mean(3.5, weight=7) == 3.5
    np.testing.assert_array_equal(dist.allreduce_mean(np.array([1.0, 2.0])), [1.0, 2.0])
    assert dist.broadcast_object({"seed": 3}) == {"seed": 3}
    dist.barrier()
    s = dist.DataParallelStrategy()
    assert s.is_chief and s.world_size == 1
    x, y = np.arange(5), np.arange(5) * 2
    assert s.shard(x, y)[0].tolist() == [0, 1, 2, 3, 4]
    assert [i.tolist() for i in s.batches(5, 2, shuffle=False)] == [[0, 1], [2, 3], [4]]
    assert s.local(np.arange(3)).tolist() == [0, 1, 2]


def test_launcher_without_mpi4py_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "4")
    with pytest.raises(RuntimeError, match="MPI launcher for 4 processes.*mpi4py is not "
                                           "installed"):
        dist.init()


def test_using_distributed_under_a_launcher_without_init_is_an_error(monkeypatch):
    """Going on as one process would silently train N unsynchronised copies."""
    monkeypatch.setenv("PMI_SIZE", "2")
    with pytest.raises(RuntimeError, match="one of 2 started by an MPI launcher.*init"):
        dist.allreduce_gradients([rg.tensor([1.0], requires_grad=True)])


def test_launchers_are_recognised():
    size = dist.launcher_world_size
    assert size({}) is None
    assert size({"OMPI_COMM_WORLD_SIZE": "8", "OMPI_COMM_WORLD_RANK": "3"}) == 8
    assert size({"PMI_SIZE": "2", "PMI_RANK": "0"}) == 2
    # PMIx (srun --mpi=pmix) gives no size: Slurm's task count, else "unknown" (0).
    assert size({"PMIX_RANK": "1", "SLURM_STEP_NUM_TASKS": "4", "SLURM_NTASKS": "9"}) == 4
    assert size({"PMIX_RANK": "0"}) == 0


def test_a_one_task_launch_needs_no_mpi4py(monkeypatch):
    """srun exports PMIX_RANK even for one task: that is a one-process world."""
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    monkeypatch.setenv("PMIX_RANK", "0")
    monkeypatch.setenv("SLURM_NTASKS", "1")
    assert dist.init().size == 1


def test_init_checks_the_timeout():
    with pytest.raises(ValueError, match="timeout must be > 0 seconds, got -1"):
        dist.init(timeout=-1)
    with pytest.raises(TypeError, match="timeout must be a number of seconds or None, "
                                        "got 'soon'"):
        dist.init(timeout="soon")


def test_buckets_group_consecutive_tensors_by_size_and_dtype():
    ts = [rg.zeros(10, dtype="float32"), rg.zeros(10, dtype="float32"),
          rg.zeros(100, dtype="float32"), rg.zeros(3, dtype="float64"),
          rg.zeros(2, dtype="float64")]
    b = buckets._Buckets(ts, bucket_bytes=80, extra=1)
    # 40 + 40 bytes fill one bucket; the 400-byte tensor gets its own; a dtype change
    # starts a new one; the last bucket carries one more slot (the weight).
    assert [[t.size for t, _, _ in members] for _, members, _ in b.groups] == \
        [[10, 10], [100], [3, 2]]
    assert [buf.size for buf in b.buffers] == [20, 100, 6]
    assert [buf.dtype for buf in b.buffers] == [np.float32, np.float32, np.float64]
    assert [off for _, members, _ in b.groups for _, off, _ in members] == [0, 10, 0, 0, 3]


def test_reducer_and_broadcast_errors():
    with pytest.raises(TypeError, match="dtype int64.*only floating-point parameters"):
        buckets._Buckets([rg.tensor([1, 2])], 100)
    with pytest.raises(ValueError, match="bucket_bytes must be >= 1, got 0"):
        dist.GradientReducer([rg.zeros(2, requires_grad=True)], bucket_bytes=0)
    with pytest.raises(TypeError, match="parameters must be tensors, got list at position 1"):
        dist.GradientReducer([rg.zeros(2), [1.0]])
    with pytest.raises(TypeError, match="DistributedDataParallel: expected a module"):
        dist.DistributedDataParallel(3)


def test_default_blas_threads_share_the_cores(monkeypatch):
    monkeypatch.setattr(world.os, "cpu_count", lambda: 16)
    monkeypatch.setattr(world.os, "sched_getaffinity", lambda pid: set(range(16)),
                        raising=False)
    assert [dist.default_blas_threads(k) for k in (1, 2, 3, 16, 32)] == [16, 8, 5, 1, 1]
    # A rank bound by the launcher to 4 cores keeps its 4.
    monkeypatch.setattr(world.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    assert dist.default_blas_threads(4) == 4


def test_print0_and_chief_only(capsys, tmp_path):
    dist.print0("hello", 1)
    assert capsys.readouterr().out == "hello 1\n"
    assert dist.chief_only(lambda a: a + 1, 2) == 3
    dist.save_checkpoint({"w": rg.ones(3), "b": np.zeros(2)}, tmp_path / "ckpt.npz")
    with np.load(tmp_path / "ckpt.npz") as f:
        assert f["w"].tolist() == [1.0, 1.0, 1.0] and f["b"].shape == (2,)
