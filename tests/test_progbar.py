"""Keras's progress bar as fit/evaluate/predict print it, on a real (pseudo-)terminal
and through a pipe: on a terminal each bar ends as one line, as in Keras 3."""
import os
import re
import select
import subprocess
import sys

import pytest

ANSI = re.compile(r"\x1b\[[0-9;]*m")
NUM = r"\d+\.\d{4}(e-\d\d)?"
STEP = r"\d+(s|ms|us)/step"
BAR = r"5/5 ━{20} \d+s " + STEP

# 40 samples in batches of 8: 5 steps per epoch, so each bar is redrawn before it ends.
SCRIPT = """
import numpy as np
from retrograd import keras
keras.utils.set_random_seed(0)
x = np.random.default_rng(0).standard_normal((40, 3)).astype(np.float32)
y = x.sum(1, keepdims=True)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
model.fit(x, y, batch_size=8, epochs=2, validation_data=(x, y))
model.evaluate(x, y, batch_size=8)
model.predict(x, batch_size=8)
"""

# What the user sees once the program is done: fit's two epochs, each closed by the
# line with the validation loss, then evaluate's bar and predict's.
EXPECTED = [rf"Epoch 1/2", rf"{BAR} - loss: {NUM} - val_loss: {NUM}",
            rf"Epoch 2/2", rf"{BAR} - loss: {NUM} - val_loss: {NUM}",
            rf"{BAR} - loss: {NUM}",
            BAR]


def _env():
    return {**os.environ, "OPENBLAS_NUM_THREADS": "1"}


def _run_on_a_terminal(code, timeout=120):
    """stdout of ``python -c code`` run with a pseudo-terminal as its stdout."""
    master, slave = os.openpty()
    p = subprocess.Popen([sys.executable, "-c", code], stdout=slave, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, env=_env())
    os.close(slave)   # the child holds the only copy: its exit ends our reads
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            assert ready, "no output for %ss" % timeout
            try:
                chunk = os.read(master, 65536)
            except OSError:   # EIO: Linux's end of file on a pty whose other side closed
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
        err = p.communicate(timeout=timeout)[1]
    assert p.returncode == 0, err.decode()[-2000:]
    return b"".join(chunks).decode()


def _screen(raw):
    """The lines a terminal shows after printing ``raw``: "\\r" goes back to the start
    of the line and what follows overwrites it, "\\b" goes back one column, "\\n"
    starts a new line; colours and bold are dropped."""
    text = ANSI.sub("", raw)
    assert "\x1b" not in text, "an escape code other than colour/bold: %r" % raw
    lines, row, col = [[]], 0, 0
    for ch in text:
        if ch == "\r":
            col = 0
        elif ch == "\b":
            col = max(col - 1, 0)
        elif ch == "\n":
            row, col = row + 1, 0   # (a pty turns "\n" into "\r\n" anyway)
            if row == len(lines):
                lines.append([])
        else:
            line = lines[row]
            line.extend(" " * (col + 1 - len(line)))
            line[col] = ch
            col += 1
    return ["".join(line).rstrip() for line in lines if "".join(line).strip()]


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal (POSIX)")
def test_each_bar_ends_as_one_line_on_a_terminal():
    """The last step used to close the bar's line and the end of the epoch (of evaluate,
    of predict) to close it a second time: each final line was shown twice, the first
    without the validation loss."""
    raw = _run_on_a_terminal(SCRIPT)
    shown = _screen(raw)
    assert len(shown) == len(EXPECTED), "\n".join(shown)
    for pattern, line in zip(EXPECTED, shown):
        assert re.fullmatch(pattern, line), (pattern, shown)
    # The bar was redrawn in place: it is a terminal's output, colours and all.
    assert "\x1b[32m" in raw and "\r" in raw
    # Each epoch's closing line is printed once, not only overwritten to look so.
    pieces = [ANSI.sub("", p).rstrip() for p in re.split(r"[\r\n]", raw)]
    assert sum(bool(re.fullmatch(EXPECTED[1], p)) for p in pieces) == 2, pieces


def test_through_a_pipe_one_plain_line_per_bar():
    """Without a terminal (a pipe, a CI log) only each bar's final line is printed,
    once, without escape codes or carriage returns."""
    p = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                       timeout=120, env=_env())
    assert p.returncode == 0, p.stderr[-2000:]
    assert "\r" not in p.stdout and "\x1b" not in p.stdout
    lines = p.stdout.splitlines()
    assert len(lines) == len(EXPECTED), p.stdout
    for pattern, line in zip(EXPECTED, lines):
        assert re.fullmatch(pattern, line), (pattern, p.stdout)
