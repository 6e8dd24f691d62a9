"""`retrograd train`: the course's experiment end to end, on MNIST and on digits."""
import os
import re
import subprocess
import sys

import pytest

from retrograd import cli, keras
from retrograd.datasets import files


@pytest.fixture
def no_mnist(tmp_path, monkeypatch):
    """A machine without MNIST: empty RETROGRAD_DATA and cache, no checkout copy."""
    monkeypatch.setenv("RETROGRAD_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(files, "checkout_dir", lambda name: None)


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


def test_no_mnist_falls_back_to_digits(no_mnist, tmp_path, capsys):
    assert cli.main(["train", "--no-download", "--epochs", "2", "--out",
                     str(tmp_path / "r")]) == 0
    captured = capsys.readouterr()
    notice = [l for l in captured.err.splitlines() if "digits" in l]
    assert len(notice) == 1 and "mnist unavailable" in notice[0]
    assert "RETROGRAD_DATA/mnist" in notice[0]
    assert "│ fc1 (Dense)                     │ (None, 10)             │           650 │" \
        in captured.out
    assert re.search(r"^accuracy TEST: \d+\.\d\d%$", captured.out, re.M)


def test_offline_download_failure_falls_back(no_mnist, tmp_path, capsys, monkeypatch):
    import urllib.error

    def offline(url, timeout=None):
        raise urllib.error.URLError("network is unreachable")
    monkeypatch.setattr("urllib.request.urlopen", offline)
    (x, y), (xt, yt), name = cli.load_dataset("mnist")
    assert name == "digits" and x.shape[1] == 64 and x.max() <= 1.0
    assert "network is unreachable" in capsys.readouterr().err


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
                 ["train", "--epochs", "0"], ["train", "--activation", "relux"]):
        with pytest.raises(SystemExit):
            cli.main(argv)
    err = capsys.readouterr().err
    assert "invalid choice: 'cifar'" in err and "relu" in err and "--hidden" in err
    assert cli.main([]) == 0
    assert "train" in capsys.readouterr().out


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
    with pytest.raises(SystemExit) as e:
        cli.main(["train", "--device", "gpu", "--dataset", "digits"])
    assert e.value.code == 2
    assert "--device gpu: device 'cuda' needs CuPy" in capsys.readouterr().err
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
