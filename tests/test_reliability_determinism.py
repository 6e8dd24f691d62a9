"""Guarantee 1 — determinism: with a seed, two runs give bit-identical weights, and a
run stopped after 2 epochs, checkpointed and resumed in a NEW process for 2 more
epochs ends bit-identical to 4 epochs in one go (weights, optimiser slots, schedule
position, random-generator states, epoch) — plain loop with retrograd.checkpoint,
Keras with ModelCheckpoint and fit(initial_epoch=)."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import retrograd as rg
from retrograd import keras
from retrograd.checkpoint import load_checkpoint, save_checkpoint
from retrograd.serialization import ModelFileError

SCRIPTS = Path(__file__).resolve().parent / "reliability_scripts"


def _script(name):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


plain = _script("plain_train")
kscript = _script("keras_train")


def _run(*args):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    r = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True,
                       timeout=60, env=env)
    assert r.returncode == 0, r.stderr[-3000:]


def _assert_identical(a, b):
    assert sorted(a) == sorted(b)
    for k in a:
        assert a[k].dtype == b[k].dtype and a[k].shape == b[k].shape, k
        assert a[k].tobytes() == b[k].tobytes(), f"{k} differs"


def _plain_run(epochs, seed=0):
    model, opt, sched, loader = plain.build(seed)
    plain.train(model, opt, sched, loader, 0, epochs)
    return model, opt, sched


def test_plain_loop_is_bit_reproducible():
    a = plain.snapshot(*_plain_run(3), 3)
    b = plain.snapshot(*_plain_run(3), 3)
    _assert_identical(a, b)
    c = plain.snapshot(*_plain_run(3, seed=1), 3)
    assert a["w/0.weight"].tobytes() != c["w/0.weight"].tobytes()   # the seed matters


def test_plain_loop_resumed_in_a_new_process_is_bit_identical(tmp_path):
    reference = plain.snapshot(*_plain_run(4), 4)
    model, opt, sched = _plain_run(2)
    ckpt = str(tmp_path / "run.ckpt")
    save_checkpoint(ckpt, model, opt, sched, epoch=2)
    out = tmp_path / "resumed.npz"
    _run(SCRIPTS / "plain_train.py", ckpt, out, 4)
    with np.load(out) as z:
        resumed = {k: z[k] for k in z.files}
    _assert_identical(reference, resumed)
    assert json.loads(resumed["rng"].tobytes())["modules"]    # the own-generator dropout


def test_load_checkpoint_restores_everything_in_process(tmp_path):
    model, opt, sched = _plain_run(2)
    before = plain.snapshot(model, opt, sched, 2)
    path = tmp_path / "c.ckpt"
    save_checkpoint(path, model, opt, sched, epoch=2, extra={"note": "halfway", "best": 0.5})
    m2, o2, s2, _ = plain.build(seed=7)
    info = load_checkpoint(path, m2, o2, s2)
    assert info == {"epoch": 2, "extra": {"note": "halfway", "best": 0.5}}
    _assert_identical(before, plain.snapshot(m2, o2, s2, 2))


def test_failed_load_changes_nothing(tmp_path):
    model, opt, sched = _plain_run(1)
    path = tmp_path / "c.ckpt"
    save_checkpoint(path, model, opt, sched, epoch=1)
    other = rg.nn.Sequential(rg.nn.Linear(12, 24), rg.nn.Tanh(), rg.nn.Linear(24, 3))
    with pytest.raises(ModelFileError, match="do not fit"):
        load_checkpoint(path, other)
    # A schedule whose state is refused after the weights were copied: all rolled back.
    m2, o2, s2, _ = plain.build(seed=5)
    snap = plain.snapshot(m2, o2, s2, 0)
    calls, restore = [], s2.load_state_dict

    def refuse_once(state):
        calls.append(state)
        if len(calls) == 1:
            raise ValueError("refused")
        restore(state)
    s2.load_state_dict = refuse_once
    with pytest.raises(ModelFileError, match="refused"):
        load_checkpoint(path, m2, o2, s2)
    _assert_identical(snap, plain.snapshot(m2, o2, s2, 0))


def test_keras_fit_is_bit_reproducible():
    a = kscript.build(0)
    kscript.fit(a, 3)
    b = kscript.build(0)
    kscript.fit(b, 3)
    _assert_identical(kscript.snapshot(a), kscript.snapshot(b))


def test_keras_resumed_in_a_new_process_is_bit_identical(tmp_path):
    ref = kscript.build(0)
    kscript.fit(ref, 4)
    reference = kscript.snapshot(ref)
    model = kscript.build(0)
    ckpt = keras.callbacks.ModelCheckpoint(str(tmp_path / "run-{epoch:02d}.retrograd"))
    kscript.fit(model, 2, callbacks=[ckpt])
    out = tmp_path / "resumed.npz"
    _run(SCRIPTS / "keras_train.py", tmp_path / "run-02.retrograd", out, 4, 2)
    with np.load(out) as z:
        resumed = {k: z[k] for k in z.files}
    _assert_identical(reference, resumed)


def test_a_loader_with_its_own_generator_resumes_through_generators(tmp_path):
    """A DataLoader given its own generator: name it in ``generators=``."""
    def run(epochs, resume_from=None):
        model, opt, sched, _ = plain.build(0)
        x, y = plain.data()
        loader = plain.DataLoader(plain.TensorDataset(x, y), batch_size=32, shuffle=True,
                                  generator=11)
        start = 0
        if resume_from is not None:
            start = load_checkpoint(resume_from, model, opt, sched,
                                    generators={"loader": loader.generator})["epoch"]
        plain.train(model, opt, sched, loader, start, epochs)
        return model, opt, sched, loader
    reference = plain.snapshot(*run(3)[:3], 3)
    model, opt, sched, loader = run(1)
    path = tmp_path / "l.ckpt"
    save_checkpoint(path, model, opt, sched, epoch=1, generators={"loader": loader.generator})
    _assert_identical(reference, plain.snapshot(*run(3, resume_from=path)[:3], 3))
    with pytest.raises(ModelFileError, match=r"generator named\[.other.\]"):
        load_checkpoint(path, model, opt, sched,
                        generators={"other": plain.np.random.default_rng(0)})
