"""`retrograd train --out DIR`: a run's files appear together or not at all.

Ctrl-C is sent as a user sends it: to a real `retrograd train` process, once its
output shows that training is under way."""
import os
import signal
import subprocess
import sys
import threading
import time

from mpi_launch import launch, needs_mpi
from test_cli import PRELUDE, cli_env, run_cli

from retrograd.run_folder import RUN_FILES


def _files(folder):
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder))}


def _interrupt_during_training(out, env):
    """Start a long run into ``out``, wait until its third epoch has begun, send
    SIGINT; return (exit status, stdout, stderr)."""
    cmd = [sys.executable, "-c", PRELUDE.format(extra=""), "train", "--dataset", "digits",
           "--model", "mlp", "--hidden", "64", "--epochs", "100000", "--verbose", "2",
           "--out", str(out)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env)
    lines, started = [], threading.Event()

    def read():                 # "Epoch N/M" lines are flushed as they are printed
        for line in p.stdout:
            lines.append(line)
            if line.startswith("Epoch 3/"):
                started.set()
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert started.wait(timeout=120), "".join(lines) + p.stderr.read()
        p.send_signal(signal.SIGINT)
        code = p.wait(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    reader.join(timeout=10)
    return code, "".join(lines), p.stderr.read()


def test_ctrl_c_keeps_the_previous_run_whole(tmp_path):
    """Interrupted in the middle of training into the folder of a previous run: the
    previous run's three files are byte for byte as they were (history.csv was truncated
    to 0 bytes before), no temporary folder is left, exit status 130, one line."""
    env = cli_env(tmp_path)
    out = tmp_path / "runs" / "train"
    done = run_cli(["train", "--dataset", "digits", "--epochs", "1", "--verbose", "0",
                    "--out", out], env)
    assert done.returncode == 0, done.stderr
    (out / "notes.txt").write_text("the user's own file")
    before = _files(out)
    assert sorted(before) == sorted(RUN_FILES + ("notes.txt",))
    code, stdout, stderr = _interrupt_during_training(out, env)
    assert code == 130, stderr
    assert stderr.splitlines() == [f"retrograd train: interrupted, nothing written ({out} is "
                                   "as it was)"], stderr
    assert "Traceback" not in stdout + stderr
    assert _files(out) == before
    assert os.listdir(tmp_path / "runs") == ["train"]          # no temporary folder


def test_ctrl_c_into_a_new_folder_leaves_nothing(tmp_path):
    env = cli_env(tmp_path)
    out = tmp_path / "new" / "runs" / "train"
    code, stdout, stderr = _interrupt_during_training(out, env)
    assert code == 130, stderr
    assert "Epoch 3/" in stdout and len(stderr.splitlines()) == 1, stderr
    assert not (tmp_path / "new").exists()      # nor the parents made for it


def test_a_new_run_replaces_only_its_own_files(tmp_path):
    """Into a folder holding a previous run and a file of the user's: the run's files
    are replaced, the user's file stays, and a previous learning_curve.png that this
    run does not remake (no matplotlib) is removed rather than left beside the new
    model as if it were this run's."""
    env = cli_env(tmp_path)
    out = tmp_path / "train"
    args = ["train", "--dataset", "digits", "--verbose", "0", "--out", out]
    assert run_cli(args + ["--epochs", "1"], env).returncode == 0
    (out / "notes.txt").write_text("the user's own file")
    before = _files(out)
    started = time.time()
    done = run_cli(args + ["--epochs", "2"], env, extra="sys.modules['matplotlib'] = None")
    assert done.returncode == 0, done.stderr
    assert "matplotlib is not installed, skipping the learning-curve PNG" in done.stderr
    after = _files(out)
    assert sorted(after) == ["history.csv", "model.retrograd", "notes.txt"]
    assert after["notes.txt"] == before["notes.txt"]
    assert after["history.csv"].count(b"\n") == 3 and after["history.csv"] != before[
        "history.csv"]
    assert os.path.getmtime(out / "model.retrograd") >= started - 1
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".train")]   # temporary


@needs_mpi
def test_a_refused_distributed_run_ends_every_rank(tmp_path):
    """Under mpirun, rank 0 refuses a bad --out after the ranks have met: the job ends
    with exit status 2 and the error line, instead of rank 1 waiting for rank 0 in the
    next collective until its timeout (minutes)."""
    script = tmp_path / "retrograd_cli.py"           # the console script's entry point
    script.write_text("import sys\nfrom retrograd.cli import main\nsys.exit(main())\n")
    (tmp_path / "a-file").write_text("mine")
    p = launch(script, ["train", "--distributed", "--dataset", "digits", "--out",
                        tmp_path / "a-file"], n=2, limit=60)
    assert p.returncode == 2, p.stdout + p.stderr
    assert f"retrograd train: error: --out {tmp_path / 'a-file'}: exists and is not a " \
           "directory" in p.stderr.splitlines()
    assert (tmp_path / "a-file").read_text() == "mine"
