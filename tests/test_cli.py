"""`retrograd train`: the course's experiment end to end, on MNIST and on digits; its
messages, errors and help, through the command itself (a subprocess)."""
import os
import re
import subprocess
import sys

import pytest

from retrograd import cli, keras
from retrograd.datasets import files

# `python -c PRELUDE train …` runs the command's entry point (retrograd.cli:main) on a
# machine where the dataset copies outside the test's own folders do not exist: the one
# beside this checkout (../shared/data) and Debian's packages (/usr/share/datasets).
PRELUDE = """\
import sys
from retrograd.datasets import files
files.checkout_dir = lambda name: None
files.system_dirs = lambda catalog: ()
{extra}
from retrograd.cli import main
sys.exit(main())
"""


def cli_env(tmp_path, **extra):
    """A hermetic environment: HOME (so the cache ~/.cache/retrograd) in tmp_path,
    RETROGRAD_DATA an empty folder there, XDG_CACHE_HOME unset."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("RETROGRAD_DATA", "XDG_CACHE_HOME", "COLUMNS")}
    env.update(HOME=str(tmp_path / "home"), RETROGRAD_DATA=str(tmp_path / "data"),
               MPLBACKEND="Agg", MPLCONFIGDIR=str(tmp_path / "mpl"))
    env.update(extra)
    return env


def run_cli(args, env, extra="", timeout=120):
    """``retrograd ARGS`` in a subprocess with ``env``, no dataset copy outside
    tmp_path, and the Python statements ``extra`` run first."""
    cmd = [sys.executable, "-c", PRELUDE.format(extra=extra)] + [str(a) for a in args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)


def error_line(done):
    """The one error line of a refused command (after argparse's one-line usage)."""
    lines = done.stderr.splitlines()
    assert "Traceback" not in done.stderr, done.stderr
    assert lines[:-1] in ([], ["usage: retrograd train [options]"]), done.stderr
    return lines[-1]


@pytest.fixture
def no_mnist(tmp_path, monkeypatch):
    """A machine without MNIST: empty RETROGRAD_DATA and cache, no checkout copy, no
    system package."""
    monkeypatch.setenv("RETROGRAD_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(files, "checkout_dir", lambda name: None)
    monkeypatch.setattr(files, "system_dirs", lambda catalog: ())


def test_train_mnist_one_epoch(mnist_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out_dir = tmp_path / "run"
    result = cli.train(cli.build_parser().parse_args(
        ["train", "--epochs", "1", "--data-dir", str(mnist_dir), "--out", str(out_dir)]))
    out = capsys.readouterr().out
    assert "│ fc1 (Dense)                     │ (None, 10)             │         7,850 │" in out
    assert " Total params: 7,850 (30.66 KB)" in out
    assert re.search(r"^469/469 ━{20} \d+s \d+(us|ms|s)/step - accuracy: \d\.\d{4} - "
                     r"loss: \d\.\d{4}$", out, re.M)
    assert re.search(r"^loss TEST: \d+\.\d\d%$", out, re.M)
    assert re.search(r"^accuracy TEST: \d\d\.\d\d%$", out, re.M)
    assert result["dataset"] == "mnist" and result["accuracy"] > 0.85
    model = keras.models.load_model(out_dir / "model.retrograd")
    assert model.count_params() == 7850
    png = out_dir / "learning_curve.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out_dir / "history.csv").read_text().startswith("epoch,accuracy,loss")


@pytest.mark.parametrize("dataset, why, opener", [
    ("mnist", "--no-download given", None),
    ("fashion_mnist", "the download failed", "network is unreachable"),
])
def test_missing_dataset_notice_is_two_short_lines(tmp_path, dataset, why, opener):
    """Not on the machine (and not downloadable): two short lines, what is missing and
    the fallback, then how to provide it; no URL, no errno text; then digits."""
    args = ["train", "--dataset", dataset, "--epochs", "1", "--verbose", "0",
            "--out", tmp_path / "r"]
    extra = ""
    if opener:          # every download fails at once, as offline (never the network)
        extra = ("import urllib.error, urllib.request\n"
                 "def offline(url, timeout=None):\n"
                 f"    raise urllib.error.URLError('[Errno 101] {opener}')\n"
                 "urllib.request.urlopen = offline")
    else:
        args.append("--no-download")
    done = run_cli(args, cli_env(tmp_path), extra)
    assert done.returncode == 0, done.stderr
    notice = done.stderr.splitlines()
    assert notice == [
        f"retrograd train: {dataset} is not on this machine and {why}; training on "
        "scikit-learn's digits instead",
        f"  to use it: --data-dir DIR, or its IDX files in $RETROGRAD_DATA/{dataset} "
        f"or ~/.cache/retrograd/{dataset}"], done.stderr
    assert all(len(line) <= 120 for line in notice), [len(line) for line in notice]
    assert "│ fc1 (Dense)                     │ (None, 10)             │           650 │" \
        in done.stdout
    assert re.search(r"^accuracy TEST: \d+\.\d\d%$", done.stdout, re.M)


def test_offline_download_failure_falls_back(no_mnist, tmp_path, capsys, monkeypatch):
    import urllib.error

    def offline(url, timeout=None):
        raise urllib.error.URLError("network is unreachable")
    monkeypatch.setattr("urllib.request.urlopen", offline)
    (x, y), (xt, yt), name = cli.load_dataset("mnist")
    assert name == "digits" and x.shape[1] == 64 and x.max() <= 1.0
    assert "mnist is not on this machine and the download failed" in capsys.readouterr().err


def test_corrupt_dataset_is_an_error_not_digits(tmp_path):
    """A corrupt file is never silently replaced by digits: one line naming the file
    and what to do, exit status 1, nothing written."""
    from retrograd.datasets import fashion_mnist
    from retrograd.datasets.idx import write_idx
    import numpy as np
    d = tmp_path / "data" / "fashion_mnist"
    d.mkdir(parents=True)
    for f in fashion_mnist.CATALOG.files:
        write_idx(d / (f.name + ".gz"), np.zeros((2,) + f.shape[1:], np.uint8))
    done = run_cli(["train", "--dataset", "fashion_mnist", "--no-download",
                    "--out", tmp_path / "r"], cli_env(tmp_path))
    assert done.returncode == 1, done.stderr
    assert error_line(done).startswith(
        f"retrograd train: error: {d / 'train-images-idx3-ubyte.gz'}: content differs from "
        "the original (SHA-256 of the content "), done.stderr
    assert error_line(done).endswith("; replace it with a good copy")
    assert done.stdout == "" and not [n for n in os.listdir(tmp_path) if "r" in n]


def test_mlp_options(tmp_path, capsys):
    result = cli.train(cli.build_parser().parse_args(
        ["train", "--dataset", "digits", "--model", "mlp", "--hidden", "32,16",
         "--activation", "tanh", "--optimizer", "adam", "--lr", "0.01", "--epochs", "8",
         "--batch-size", "32", "--seed", "3", "--verbose", "2", "--out", str(tmp_path)]))
    out = capsys.readouterr().out
    for line in ("fc1 (Dense)", "fc2 (Dense)", "fc3 (Dense)", "activation (Activation)"):
        assert line in out
    assert re.search(r"^45/45 - \d+s - ", out, re.M)
    assert result["accuracy"] > 0.9
    model = keras.models.load_model(tmp_path / "model.retrograd")
    assert [l.units for l in model.layers[:3]] == [32, 16, 10]
    assert isinstance(model.optimizer, keras.optimizers.Adam)


def test_bad_options(capsys):
    for argv in (["train", "--dataset", "cifar"], ["train", "--hidden", "a,b"],
                 ["train", "--epochs", "0"]):
        with pytest.raises(SystemExit) as e:
            cli.main(argv)
        assert e.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'cifar'" in err and "--hidden" in err and "> 0, got '0'" in err
    assert cli.main([]) == 0
    assert "train" in capsys.readouterr().out


def _bad_out(tmp_path):
    """--out values that cannot be written, even by root (a chmod'ed folder can)."""
    (tmp_path / "a-file").write_text("mine")
    (tmp_path / "old" / "history.csv").mkdir(parents=True)
    return {
        "an existing file": (tmp_path / "a-file", "exists and is not a directory"),
        "a path under a file": (tmp_path / "a-file" / "run",
                                f"{tmp_path / 'a-file'} is not a directory"),
        "/proc": ("/proc/retrograd-run", "cannot write in /proc ("),
        "beyond /proc": ("/proc/retrograd/run", "cannot create the directory /proc/retrograd ("),
        "a folder holding a folder history.csv": (
            tmp_path / "old", "history.csv there is not a regular file"),
    }


@pytest.mark.parametrize("case", ["an existing file", "a path under a file", "/proc",
                                  "beyond /proc", "a folder holding a folder history.csv"])
def test_bad_out_is_one_error_line_before_training(tmp_path, case):
    """No traceback: one line naming --out and why, exit 2, checked before anything is
    loaded or trained, and nothing written."""
    out, why = _bad_out(tmp_path)[case]
    before = sorted(p for p in tmp_path.rglob("*"))
    done = run_cli(["train", "--dataset", "digits", "--epochs", "1", "--out", out],
                   cli_env(tmp_path))
    assert done.returncode == 2, done.stderr
    line = error_line(done)
    assert line.startswith(f"retrograd train: error: --out {out}: ") and why in line, line
    assert done.stdout == ""                                # no summary: nothing trained
    assert sorted(p for p in tmp_path.rglob("*")) == before
    assert (tmp_path / "a-file").read_text() == "mine"


def test_bad_activation_and_data_dir_use_the_train_prefix(tmp_path):
    done = run_cli(["train", "--activation", "nope"], cli_env(tmp_path))
    assert done.returncode == 2
    assert error_line(done).startswith("retrograd train: error: argument --activation: "
                                       "unknown activation 'nope'; valid names: elu, ")
    done = run_cli(["train", "--data-dir", tmp_path / "none", "--out", tmp_path / "r"],
                   cli_env(tmp_path))
    assert done.returncode == 2
    assert error_line(done) == (f"retrograd train: error: --data-dir {tmp_path / 'none'}: "
                                "not a directory (expected one holding the four IDX files "
                                "of mnist)")
    (tmp_path / "empty").mkdir()
    done = run_cli(["train", "--data-dir", tmp_path / "empty", "--out", tmp_path / "r"],
                   cli_env(tmp_path))
    assert done.returncode == 2 and not (tmp_path / "r").exists()
    assert error_line(done) == (f"retrograd train: error: --data-dir: mnist: "
                                f"{tmp_path / 'empty'} lacks train-images-idx3-ubyte.gz, "
                                "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
                                "t10k-labels-idx1-ubyte.gz")


def test_distributed_without_mpi4py_is_refused(tmp_path):
    """mpi4py that cannot be imported (a package on PYTHONPATH whose import fails, as
    when it is not installed): --distributed is refused in one line saying what to
    install, rather than quietly training one process. With mpi4py and no launcher it
    trains one process and says so."""
    hide = tmp_path / "hide" / "mpi4py"
    hide.mkdir(parents=True)
    (hide / "__init__.py").write_text("raise ImportError('No module named mpi4py')\n")
    args = ["train", "--distributed", "--dataset", "digits", "--epochs", "1", "--verbose", "0",
            "--out", tmp_path / "r"]
    env = cli_env(tmp_path)
    path = os.pathsep.join(filter(None, [str(tmp_path / "hide"), env.get("PYTHONPATH")]))
    done = run_cli(args, {**env, "PYTHONPATH": path})
    assert done.returncode == 2, done.stderr
    assert error_line(done) == (
        "retrograd train: error: --distributed needs mpi4py (No module named mpi4py): "
        "install an MPI library, then pip install 'retrograd[mpi]' (or mpi4py threadpoolctl)")
    assert done.stdout == "" and not (tmp_path / "r").exists()
    pytest.importorskip("mpi4py")
    done = run_cli(args, env)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "retrograd train: --distributed without an MPI launcher trains in one process; "
        "run it as 'mpirun -n N retrograd train --distributed'"]
    assert (tmp_path / "r" / "model.retrograd").exists()


def test_help_shows_every_default_and_no_rest_markup(tmp_path):
    """Every option of train has help text, which shows its default; no reST
    backticks in retrograd --help or retrograd train --help."""
    env = cli_env(tmp_path, COLUMNS="1000")      # one line per option where it fits
    top = subprocess.run([sys.executable, "-m", "retrograd.cli", "--help"],
                         capture_output=True, text=True, env=env, timeout=60)
    train = subprocess.run([sys.executable, "-m", "retrograd.cli", "train", "--help"],
                           capture_output=True, text=True, env=env, timeout=60)
    assert top.returncode == train.returncode == 0
    for text in (top.stdout, train.stdout):
        assert "`" not in text, text
    assert "course" in top.stdout and "train" in top.stdout
    # Option blocks: a line "  --option METAVAR   help…", then the help's continuation
    # lines (more indented); the help starts after the first run of two spaces.
    helps, current = {}, None
    for line in train.stdout.split("options:\n", 1)[1].split("\n\n")[0].splitlines():
        if line.startswith("  -"):
            invocation, _, rest = line.strip().partition("  ")
            current = re.findall(r"--[a-z-]+", invocation)[0]
            helps[current] = rest.strip()
        else:
            helps[current] += " " + line.strip()
    subparsers = next(a for a in cli.build_parser()._actions if a.dest == "command")
    options = {a.option_strings[-1]: a for a in subparsers.choices["train"]._actions}
    assert sorted(helps) == sorted(options)
    del helps["--help"]
    for option, text in helps.items():
        default = options[option].default
        assert len(text) > 20, (option, text)
        if default is not None:
            assert "default" in text, (option, text)
        if default not in (None, False):
            assert f"(default: {default})" in text, (option, text)
    assert "exit status: 0 the run is complete; 1 a dataset file is corrupt" in \
        " ".join(train.stdout.split())


def test_without_matplotlib(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    cli.main(["train", "--dataset", "digits", "--epochs", "1", "--verbose", "0",
              "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert "matplotlib is not installed, skipping the learning-curve PNG" in err
    assert not (tmp_path / "learning_curve.png").exists()
    assert (tmp_path / "model.retrograd").exists()


def test_console_script(tmp_path):
    """The installed `retrograd` command (or `python -m retrograd.cli`)."""
    cmd = ["retrograd"] if _on_path("retrograd") else [sys.executable, "-m", "retrograd.cli"]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run(cmd + ["train", "--dataset", "digits", "--epochs", "1",
                                 "--out", str(tmp_path)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "accuracy TEST:" in done.stdout and (tmp_path / "model.retrograd").exists()


def _on_path(name):
    from shutil import which
    return which(name) is not None


def test_device_option(tmp_path, capsys, monkeypatch):
    """--device cuda trains on the GPU (here the fake CuPy); without a usable GPU it
    stops before loading anything, with CuPy's reason in one line."""
    from retrograd import backend
    monkeypatch.setattr(backend, "_CUPY", None)
    monkeypatch.setitem(sys.modules, "cupy", None)   # as if CuPy were not installed
    assert cli.main(["train", "--device", "gpu", "--dataset", "digits"]) == 2
    assert "retrograd train: error: --device gpu: device 'cuda' needs CuPy" in \
        capsys.readouterr().err
    monkeypatch.undo()
    import fake_cupy
    fake_cupy.install(monkeypatch)
    seen = []
    fit = keras.Model.fit
    monkeypatch.setattr(keras.Model, "fit", lambda self, *a, **k: seen.append(
        {p.device for p in self.parameters()}) or fit(self, *a, **k))
    assert cli.main(["train", "--device", "cuda", "--dataset", "digits", "--epochs", "1",
                     "--verbose", "0", "--out", str(tmp_path)]) == 0
    assert seen == [{"cuda"}]
    assert "accuracy TEST" in capsys.readouterr().out
