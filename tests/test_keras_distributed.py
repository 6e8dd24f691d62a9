"""Keras ``fit(..., distributed=True)`` and ``retrograd train --distributed`` under
``mpirun -n 2`` (tests/mpi_scripts/keras_*.py), plus the one-process checks.

The MPI tests are skipped with a reason where mpirun or mpi4py is missing
(.ci/mpi_setup.sh installs them); every run is bounded by a subprocess timeout, so
a hang fails the test instead of blocking the suite.
"""
import json
import re
from pathlib import Path

import numpy as np
import pytest
from mpi_launch import launch, needs_mpi

from retrograd import distributed as dist
from retrograd import keras
from retrograd.keras import layers

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "tests" / "mpi_scripts"
LIMIT = 90  # seconds for one run, far above the few seconds it needs




def _run(script, args, n=None, **extra_env):
    p = launch(SCRIPTS / script, args, n, LIMIT, **extra_env)
    assert p.returncode == 0, p.stdout + p.stderr
    return p


def _weights(path):
    with np.load(path) as f:
        return [f[k] for k in f.files]


def _history(path):
    return json.loads(Path(path).read_text())


def _same_run(got_dir, ref_dir, ranks):
    ref_w = _weights(ref_dir / "weights_rank0.npz")
    ref_h = _history(ref_dir / "history_rank0.json")["history"]
    assert len(ref_w) == 6 and all(w.dtype == np.float64 for w in ref_w)
    for r in ranks:
        for a, b in zip(_weights(got_dir / f"weights_rank{r}.npz"), ref_w):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"rank {r}")
        h = _history(got_dir / f"history_rank{r}.json")
        assert h["size"] == len(ranks)
        assert sorted(h["history"]) == ["accuracy", "loss", "val_accuracy", "val_loss"]
        for k, v in ref_h.items():    # the means over all the ranks' samples
            np.testing.assert_allclose(h["history"][k], v, rtol=1e-10, err_msg=f"{k}, rank {r}")


@needs_mpi
def test_two_ranks_fit_like_one_process(tmp_path):
    """2 ranks × their share of each global batch of 32 = 1 process × 32: the same
    float64 weights and logs after 3 epochs of momentum SGD (9 steps, the last batch
    of each epoch 7 samples split 4 + 3) with per-sample weights, although each rank
    initialised its weights and its generators from its own seed; only rank 0 prints
    and runs the CSVLogger."""
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    _run("keras_fit.py", ["--out", one, "--weighted"])
    p = _run("keras_fit.py", ["--out", two, "--weighted"], n=2)
    _same_run(two, one, ranks=(0, 1))
    assert p.stdout.count("Epoch 1/3") == 1 and p.stdout.count("3/3 - ") == 3, p.stdout
    assert (two / "log_rank0.csv").read_text().startswith("epoch,accuracy,loss,val_accuracy")
    assert not (two / "log_rank1.csv").exists()


@needs_mpi
def test_two_ranks_without_shuffle_match_the_plain_fit(tmp_path):
    """Without shuffling no seed is involved: 2 ranks reproduce the plain,
    non-distributed ``fit`` of one process."""
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    _run("keras_fit.py", ["--out", one, "--no-shuffle", "--plain"])
    _run("keras_fit.py", ["--out", two, "--no-shuffle"], n=2)
    _same_run(two, one, ranks=(0, 1))


@needs_mpi
def test_cli_distributed_only_rank0_prints_and_writes(tmp_path):
    """``mpirun -n 2 retrograd train --distributed`` on digits for one epoch: one
    summary, one progress line, one test score; rank 0 writes the model, the CSV and
    the PNG; rank 1 writes nothing at all."""
    out, record = tmp_path / "run", tmp_path / "record"
    record.mkdir()
    p = _run("keras_cli.py", [record, "--", "train", "--distributed", "--dataset", "digits",
                              "--epochs", "1", "--verbose", "2", "--out", out], n=2,
             MPLCONFIGDIR=str(tmp_path / "mpl"))
    assert p.stdout.count('Model: "sequential"') == 1, p.stdout
    assert len(re.findall(r"^\d+/\d+ - \d+s - ", p.stdout, re.M)) == 1, p.stdout
    assert len(re.findall(r"^accuracy TEST: \d+\.\d\d%$", p.stdout, re.M)) == 1, p.stdout
    assert keras.models.load_model(out / "model.retrograd").count_params() == 650
    assert (out / "history.csv").read_text().startswith("epoch,accuracy,loss")
    assert (out / "learning_curve.png").read_bytes()[:4] == b"\x89PNG"
    writes = [json.loads((record / f"writes_rank{r}.json").read_text()) for r in (0, 1)]
    assert writes[1] == [], writes[1]
    written = {Path(w).name for w in writes[0]}
    assert {"model.retrograd", "history.csv", "learning_curve.png"} <= written, writes[0]


# -- one process: the same code path, no MPI needed ------------------------------------


def _small_model(seed):
    keras.utils.set_random_seed(seed)
    m = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(8, activation="relu"),
                          layers.Dense(3, activation="softmax")])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def _data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 5)).astype(np.float32)
    return x, rng.integers(0, 3, size=40)


def test_one_process_distributed_fit_without_shuffle_equals_plain_fit():
    x, y = _data()
    a, b = _small_model(0), _small_model(0)
    ha = a.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    hb = b.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0, distributed=True)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    np.testing.assert_allclose(hb.history["loss"], ha.history["loss"], rtol=1e-12)


def test_distributed_accepts_a_strategy_and_refuses_other_values():
    x, y = _data()
    m = _small_model(0)
    m.fit(x, y, batch_size=8, epochs=1, verbose=0, distributed=dist.DataParallelStrategy())
    with pytest.raises(TypeError, match="distributed must be True, False or a"):
        m.fit(x, y, epochs=1, verbose=0, distributed="yes")


def test_distributed_fit_is_reproducible_with_set_random_seed():
    x, y = _data()
    runs = []
    for _ in range(2):
        m = _small_model(3)
        m.fit(x, y, batch_size=8, epochs=2, verbose=0, distributed=True)
        runs.append(m.get_weights())
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


@needs_mpi
def test_two_ranks_evaluate_and_predict_like_one_process(tmp_path):
    """``evaluate(distributed=True)`` on 2 ranks (each an interleaved share of every batch
    of 37 samples, with sample weights, weighted metrics, and a two-input two-output
    model) gives every rank the one-process logs; ``predict(distributed=True)`` gives
    every rank all the predictions, in order (equal to float32 rounding: a rank's GEMM
    on its share of a batch rounds like one on other rows); only rank 0 prints."""
    p = _run("keras_evaluate.py", ["--out", tmp_path], n=2)
    assert p.stdout.count("5/5 - ") == 2, p.stdout      # rank 0: evaluate and predict
    for r in (0, 1):
        res = json.loads((tmp_path / f"result_rank{r}.json").read_text())
        assert res["size"] == 2
        for model in ("one", "two"):
            dist_logs, plain = res["dist"][model], res["plain"][model]
            assert sorted(dist_logs) == sorted(plain)
            for k, v in plain.items():
                np.testing.assert_allclose(dist_logs[k], v, rtol=1e-6, err_msg=f"{model} {k}")
        got = np.load(tmp_path / f"predict_dist_rank{r}.npz")
        ref = np.load(tmp_path / f"predict_plain_rank{r}.npz")
        for k in ("p1", "pc", "pr"):
            assert got[k].shape[0] == 37
            np.testing.assert_allclose(got[k], ref[k], rtol=1e-5, atol=1e-6,
                                       err_msg=f"{k}, rank {r}")
