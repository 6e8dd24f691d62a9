"""Data-parallel SGD on a small MLP, run by tests/test_distributed_mpi.py.

    mpirun -n 2 python tests/mpi_scripts/train_mlp.py --out DIR [--mode train|die|hang]

mode=train: trains the same MLP twice, once through ``DistributedDataParallel`` and
once through ``DataParallelStrategy``, each rank initialised with a different seed
(so the broadcast of rank 0's weights matters) and saves each rank's final weights
to DIR/ddp_rank{r}.npz and DIR/strategy_rank{r}.npz. Run without mpirun, ``train`` is
the one-process reference the test compares with.
mode=die: rank 1 calls os._exit(1) before its second gradient allreduce;
mode=hang: rank 1 sleeps instead. Either way rank 0 must fail with
CollectiveTimeoutError within --timeout seconds, and the job must end.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

import retrograd as rg
from retrograd import distributed as dist
from retrograd import nn, optim
from retrograd.nn import functional as F

N, D, H, C = 89, 12, 16, 3   # 89 samples: the last global batch of 32 is 25, split 13 + 12
BATCH, EPOCHS, LR, MOMENTUM = 32, 2, 0.1, 0.9


def mlp(seed):
    """D → H → H → C with tanh, float64 (so that the comparison is tight). The first
    layer is a Keras-style Dense, built lazily at the first call: the wrappers must
    broadcast weights that appear only then."""
    rg.manual_seed(seed)
    return nn.Sequential(nn.Dense(H, activation="tanh", dtype="float64"),
                         nn.Linear(H, H, dtype="float64"), nn.Tanh(),
                         nn.Linear(H, C, dtype="float64"))


def dataset():
    rng = np.random.default_rng(1234)
    x = rng.normal(size=(N, D))
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0.5)
    return x, y


def loss_of(model, x, y, idx):
    return F.cross_entropy(model(rg.tensor(x[idx], dtype="float64")), rg.tensor(y[idx]))


def train_ddp(rank, bucket_bytes, on_step=None):
    x, y = dataset()
    model = dist.DistributedDataParallel(mlp(seed=1 + rank), bucket_bytes=bucket_bytes)
    opt = optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    sampler = dist.DistributedSampler(N, shuffle=True, seed=7)
    step = 0
    for epoch in range(EPOCHS):
        sampler.set_epoch(epoch)
        for idx in sampler.batches(BATCH):
            if on_step is not None:
                on_step(step)
            opt.zero_grad()
            loss_of(model, x, y, idx).backward()
            model.sync_gradients(num_samples=len(idx))
            opt.step()
            step += 1
    return list(model.parameters())


def train_strategy(rank, bucket_bytes):
    x, y = dataset()
    strategy = dist.DataParallelStrategy(bucket_bytes=bucket_bytes)
    model = mlp(seed=1 + rank)
    with rg.no_grad():
        model(rg.tensor(x[:1], dtype="float64"))  # build the lazy layer, then broadcast
    strategy.broadcast(model)
    opt = optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    seed = strategy.shared_seed(7 if strategy.is_chief else 99)  # rank 0's wins
    losses = []
    for epoch in range(EPOCHS):
        for idx in strategy.batches(N, BATCH, epoch=epoch, shuffle=True, seed=seed):
            opt.zero_grad()
            loss = loss_of(model, x, y, idx)
            loss.backward()
            strategy.sync(model.parameters(), num_samples=len(idx))
            opt.step()
            losses.append(strategy.mean(loss.item(), weight=len(idx)))
    return list(model.parameters()), losses


def save(path, params):
    np.savez(path, *[p.numpy() for p in params])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--mode", default="train", choices=["train", "die", "hang"])
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--bucket-bytes", type=int, default=dist.DEFAULT_BUCKET_BYTES)
    args = parser.parse_args()
    world = dist.init(timeout=args.timeout)
    r = world.rank
    if args.mode == "train":
        save(os.path.join(args.out, f"ddp_rank{r}.npz"), train_ddp(r, args.bucket_bytes))
        params, losses = train_strategy(r, args.bucket_bytes)
        save(os.path.join(args.out, f"strategy_rank{r}.npz"), params)
        from threadpoolctl import threadpool_info
        blas = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
        with open(os.path.join(args.out, f"info_rank{r}.json"), "w") as f:
            json.dump(dict(rank=r, size=world.size, local_size=world.local_size,
                           blas_threads=world.blas_threads, blas_num_threads=blas,
                           losses=losses), f)
        dist.print0(f"trained on {world.size} ranks")
        return

    def misbehave(step):
        if r == 1 and step == 1:
            if args.mode == "die":
                os._exit(1)
            time.sleep(600)  # hang: rank 0's abort ends this process

    train_ddp(r, args.bucket_bytes, on_step=misbehave)
    print(f"rank {r}: training finished, which it must not have", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
