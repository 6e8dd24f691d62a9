"""Guarantee 2 — crash safety: a process that trains and writes a checkpoint after
every step is killed with SIGKILL at 20 random moments; after each kill the
checkpoint on disk is the last complete one (or the one being renamed into place),
loads, and is never truncated or mixed (its SHA-256 of weights + slots matches).
The temporaries that killed writes leave behind do not accumulate: the next
successful save of the same file removes them."""
import importlib.util
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from retrograd import serialization
from retrograd.checkpoint import load_checkpoint, save_checkpoint

SCRIPT = Path(__file__).resolve().parent / "reliability_scripts" / "crash_writer.py"
KILLS = 20

spec = importlib.util.spec_from_file_location("crash_writer", SCRIPT)
writer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(writer)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_sigkill_at_random_moments_never_corrupts_the_checkpoint(tmp_path):
    path = tmp_path / "train.ckpt"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, str(SCRIPT), str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    watchdog = threading.Timer(120, proc.kill)     # the whole test is bounded in time
    watchdog.start()
    moments = random.Random(2024)
    survived, mid_write, last_step = 0, 0, 0
    children, cleaned_since = [], 0     # pids killed; first whose leftover may remain
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        for _ in range(KILLS):
            proc.stdin.write("go\n")
            proc.stdin.flush()
            line = proc.stdout.readline().split()
            assert line and line[0] == "pid", proc.stderr.read()
            children.append(int(line[1]))
            time.sleep(moments.uniform(0.01, 0.2))
            try:
                os.kill(children[-1], signal.SIGKILL)
            except ProcessLookupError:
                pytest.fail(f"the writer's child ended before the kill: "
                            f"{proc.stdout.readline()} {proc.stderr.read()[-2000:]}")
            saved = []
            while True:
                line = proc.stdout.readline().split()
                assert line, f"the writer died: {proc.stderr.read()[-2000:]}"
                if line[0] == "dead":
                    assert int(line[1]) & 0x7F == signal.SIGKILL     # killed, not exited
                    break
                saved.append(int(line[1]))
            reported = saved[-1] if saved else last_step
            model, opt = writer.build()
            extra = load_checkpoint(path, model, opt)["extra"]
            # The kill may land between the rename and the report: one step ahead.
            assert extra["step"] in (reported, reported + 1)
            assert extra["sha256"] == writer.digest(model, opt), "a mixed checkpoint"
            last_step = extra["step"]
            # A write killed midway leaves its temporary; a child that saved once
            # removed those of the children killed before it, so only the
            # temporaries of children since the last one that saved may remain.
            if saved:
                cleaned_since = len(children) - 1
            leftovers = _temporaries(tmp_path)
            assert set(leftovers.values()) <= set(children[cleaned_since:]), \
                f"stale temporaries accumulate: {sorted(leftovers)}"
            mid_write += children[-1] in leftovers.values()
            survived += 1
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.stdin.close()
            proc.wait(timeout=10)
    assert survived == KILLS and last_step > KILLS
    assert mid_write >= 1      # some kills did land inside a write (about 40% here)
    # The next save — here from this process — leaves no temporary and loads.
    model, opt = writer.build()
    load_checkpoint(path, model, opt)
    save_checkpoint(path, model, opt, extra={"step": last_step,
                                             "sha256": writer.digest(model, opt)})
    assert _temporaries(tmp_path) == {}
    assert load_checkpoint(path, *writer.build())["extra"]["step"] == last_step
    print(f"\n{survived} kills survived, {mid_write} of them during a write, "
          f"{last_step} steps checkpointed")


def _temporaries(directory):
    """{temporary file name: pid of the writer named in it}."""
    return {f: int(f.split(".")[-3]) for f in os.listdir(directory) if f.endswith(".tmp")}


def _dead_pid():
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    return int(child.stdout)


@pytest.mark.skipif(os.name != "posix", reason="pid liveness is asked with POSIX kill(pid, 0)")
def test_a_save_removes_only_stale_temporaries_of_its_own_target(tmp_path):
    """Removed: this target's temporary from a dead writer on this machine, older
    than the save. Kept: a live writer's (the parent process, standing for a save
    running now in another process), this process's own, another target's, another
    machine's, one newer than the save, and files that merely look alike."""
    target = tmp_path / "model.rg"
    host, dead, live = serialization._host_tag(), _dead_pid(), os.getppid()
    names = {
        "stale": f".model.rg.{host}.{dead}.abc123_x.tmp",
        "live writer": f".model.rg.{host}.{live}.abc123_x.tmp",
        "this process": f".model.rg.{host}.{os.getpid()}.abc123_x.tmp",
        "other target": f".model.rg.bak.{host}.{dead}.abc123_x.tmp",
        "other machine": f".model.rg.{int(host, 16) ^ 1:08x}.{dead}.abc123_x.tmp",
        "newer": f".model.rg.{host}.{dead}.zzz999_y.tmp",
        "not a temporary": f".model.rg.{host}.{dead}.abc123_x.tmp.keep",
        "user file": "model.rg.tmp",
    }
    past = time.time() - 60
    for what, name in names.items():
        (tmp_path / name).write_bytes(b"partial")
        if what != "newer":
            os.utime(tmp_path / name, (past, past))
    future = time.time() + 3600     # written "after" the save started: a write in progress
    os.utime(tmp_path / names["newer"], (future, future))
    serialization.save(target, {"kind": "test"}, {"w": [1.0, 2.0]})
    left = set(os.listdir(tmp_path))
    assert names["stale"] not in left
    assert left == {"model.rg"} | {n for w, n in names.items() if w != "stale"}
    assert serialization.load(target)[1]["w"].tolist() == [1.0, 2.0]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_writer_killed_mid_write_leaves_a_temporary_the_next_save_removes(tmp_path):
    """SIGKILL a process inside its write (it blocks there until killed); its
    temporary stays beside the old file, which still loads; the next save removes
    the temporary and writes a file that loads."""
    target = tmp_path / "run.ckpt"
    serialization.save(target, {"kind": "test"}, {"w": [0.0]})
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:                    # the writer: stops forever in the middle of its write
        try:
            def hang(f):
                f.write(b"PK\x03\x04 half a file")
                f.flush()
                os.write(ready_w, b"x")
                time.sleep(60)
            serialization.atomic_write(target, hang)
        finally:
            os._exit(1)
    os.close(ready_w)
    assert os.read(ready_r, 1) == b"x"
    os.close(ready_r)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert list(_temporaries(tmp_path).values()) == [pid]
    assert serialization.load(target)[1]["w"].tolist() == [0.0]     # the old file
    serialization.save(target, {"kind": "test"}, {"w": [1.0]})
    assert _temporaries(tmp_path) == {}
    assert serialization.load(target)[1]["w"].tolist() == [1.0]
