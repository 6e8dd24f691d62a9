"""Keras 3's progress bar, as ``fit``/``evaluate``/``predict`` print it.

verbose=1 on a terminal redraws one line per epoch::

    469/469 ━━━━━━━━━━━━━━━━━━━━ 1s 2ms/step - accuracy: 0.9196 - loss: 0.2883

verbose=1 without a terminal (a pipe, a CI log) prints only that final line, with
no escape codes; verbose=2 prints ``469/469 - 1s - 2ms/step - accuracy: … - loss: …``
once per epoch; verbose=0 prints nothing.
"""
import math
import sys
import time


def format_value(v):
    """Keras's number format: 4 decimals, scientific below 1e-3."""
    return f"{v:.4f}" if abs(v) > 1e-3 else f"{v:.4e}"


def format_step_time(seconds, unit="step"):
    """`` 2ms/step``, `` 1s/step``, `` 35us/step`` (Keras's rounding)."""
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit}"
    return f" {seconds * 1e6:.0f}us/{unit}"


class Progbar:
    """A progress bar over ``target`` steps (``None``: unknown).

    ``update(current, values)`` takes the step reached and ``(name, value)`` pairs
    shown as given (the caller passes running means, as Keras's metrics are).

    ``finalize`` (default: ``current >= target``) closes the line; on a terminal each
    update that finalizes prints a line of its own. A caller that closes the line
    later with other values (``ProgbarLogger``: the epoch's logs, validation
    included) passes ``finalize=False`` for the steps, as Keras 3's ProgbarLogger
    does; else the last step's line is shown as well."""

    def __init__(self, target, width=20, verbose=1, interval=0.05, unit_name="step",
                 stream=None):
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self.stream = stream or sys.stdout
        isatty = getattr(self.stream, "isatty", None)
        self.dynamic = bool(isatty and isatty()) or "ipykernel" in sys.modules
        self.start = time.time()
        self.last_update = 0.0
        self.after_first_step = None
        self.prev_width = 0
        self.values = {}
        self.seen = 0

    def _step_time(self, current, now):
        if not current:
            return 0.0
        # The first step (warm-up, allocations) is left out once there are others.
        if self.after_first_step is not None and current > 1:
            per = (now - self.after_first_step) / (current - 1)
        else:
            per = (now - self.start) / current
        if current == 1:
            self.after_first_step = now
        return per

    def update(self, current, values=None, finalize=None):
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for k, v in values or ():
            self.values[k] = v
        self.seen = current
        now = time.time()
        per_step = self._step_time(current, now)
        if self.verbose == 1:
            if not finalize and (not self.dynamic or now - self.last_update < self.interval):
                return
            self._write_line(current, now, per_step, finalize)
        elif self.verbose == 2 and finalize:
            count = self._count(current)
            info = f"{count} - {now - self.start:.0f}s -{format_step_time(per_step, self.unit_name)}"
            self.stream.write(info + self._metrics() + "\n")
            self.stream.flush()
        self.last_update = now

    def add(self, n, values=None):
        self.update(self.seen + n, values)

    def _count(self, current):
        if self.target:
            digits = int(math.log10(self.target)) + 1
            return f"{current:{digits}d}/{self.target}"
        return f"{current:7d}/Unknown"

    def _metrics(self):
        return "".join(f" - {k}: {format_value(v)}" if isinstance(v, (int, float))
                       else f" - {k}: {v}" for k, v in self.values.items())

    def _write_line(self, current, now, per_step, finalize):
        bold = (lambda s: f"\x1b[1m{s}\x1b[0m") if self.dynamic else (lambda s: s)
        line = bold(self._count(current))
        plain_len = len(self._count(current))
        if self.target:   # the bar, after a space ("Unknown" is followed by the time alone)
            line += " "
            plain_len += 1
            done = int(self.width * min(current, self.target) / self.target)
            bar_done, bar_todo = "━" * done, "━" * (self.width - done)
            if self.dynamic:
                line += (f"\x1b[32m{bar_done}\x1b[0m" if done else "") + f"\x1b[37m{bar_todo}\x1b[0m"
            else:
                line += bar_done + bar_todo
            plain_len += self.width
        if self.target and not finalize:
            eta = per_step * (self.target - current)
            if eta > 3600:
                t = f"{eta // 3600:.0f}:{(eta % 3600) // 60:02.0f}:{eta % 60:02.0f}"
            elif eta > 60:
                t = f"{eta // 60:.0f}:{eta % 60:02.0f}"
            else:
                t = f"{eta:.0f}s"
        else:
            t = f"{now - self.start:.0f}s"
        info = " " + bold(t) + format_step_time(per_step, self.unit_name) + self._metrics()
        plain_len += 1 + len(t) + len(info) - len(bold(t)) - 1
        if self.dynamic:
            pad = " " * max(0, self.prev_width - plain_len)
            self.stream.write("\r" + line + info + pad + ("\n" if finalize else ""))
        else:
            self.stream.write(line + info + "\n")
        self.stream.flush()
        self.prev_width = plain_len
