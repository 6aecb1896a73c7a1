"""Random programs whose reverse sweep must read back what the forward sweep changed:
elements written and read back in loops, integer index arrays that change, indices computed
from float arrays that change, loops whose bounds are elements of such arrays, and views
written in loops, and a helper that fills a local array and returns it from two places.

Index decisions never depend on the differentiated argument, so every program is smooth in it
and central differences are a reference everywhere.
"""

import random

_HEADER = """import math
import numpy as np


def choose(a, b, first):
    if first:
        return a
    return b


def shifted(y, c):
    z = np.empty_like(y)
    for i in range(4):
        z[i] = y[(i + c) % 4] * 0.5 + 0.1
    if c > 2:
        return z
    z[c] = z[c] * y[0]
    return z


def program(x, p0):
    p = p0.copy()
    q = np.zeros(4)
    z = np.zeros(4)
    w = x.copy()
    m = np.zeros((2, 4))
    row = m[1]
    s = 0.0
"""


class _Builder:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.lines = []
        self.views = 0
        self.loops = 0

    def emit(self, depth, text):
        self.lines.append("    " * depth + text)

    def constant_index(self):
        return str(self.rng.randrange(4))

    def index(self):
        return self.rng.choice([
            f"p[{self.constant_index()}]",
            "k % 4",
            self.constant_index(),
            f"(p[{self.constant_index()}] + k) % 4",
            f"int(q[{self.constant_index()}]) % 4",
            f"p[p[{self.constant_index()}]]",
        ])

    def value(self):
        return self.rng.choice([
            f"x[{self.index()}]",
            f"w[{self.index()}] * 0.5",
            f"z[{self.index()}]",
            f"row[{self.index()}]",
            f"math.sin(x[{self.index()}]) * x[{self.index()}]",
            "math.tanh(s)",
        ])

    def statement(self, depth):
        """One statement (or a few that belong together) at indentation ``depth``."""
        choice = self.rng.randrange(16 if depth < 4 else 10)
        if choice == 0:
            value = self.value() if self.rng.random() < 0.7 else self.rng.choice(["1.0", "0.0", "float(k)"])
            self.emit(depth, f"{self.rng.choice(['z', 'w', 'row'])}[{self.index()}] = {value}")
        elif choice == 1:
            self.emit(depth, f"s += z[{self.index()}] * {self.value()}")
        elif choice == 2:
            self.emit(depth, f"w[{self.index()}] = math.sin(w[{self.index()}]) + 0.5 * {self.value()}")
        elif choice == 3:
            c1, c2 = self.constant_index(), self.constant_index()
            self.emit(depth, f"t = p[{c1}]")
            self.emit(depth, f"p[{c1}] = p[{c2}]")
            self.emit(depth, f"p[{c2}] = t")
        elif choice == 4:
            c = self.constant_index()
            self.emit(depth, f"p[{c}] = (p[{c}] * 3 + k + {self.rng.randrange(1, 4)}) % 4")
        elif choice == 5:
            c = self.constant_index()
            self.emit(depth, f"q[{c}] = q[{c}] + {self.rng.choice(['1.5', '2.25', '0.75'])}")
        elif choice == 6:
            self.emit(depth, f"row[{self.index()}] = {self.value()} * 0.5 + row[{self.index()}] * 0.25")
        elif choice == 7:
            self.emit(depth, f"s += {self.value()} * {self.value()} * 0.5")
        elif choice == 9:
            target = self.index()
            self.emit(depth, f"z[{target}] = z[{target}] * {self.value()} + 0.1")
        elif choice == 10:
            self.emit(depth, f"if p[{self.constant_index()}] > 1:")
            self.statement(depth + 1)
        elif choice == 11:
            self.views += 1
            view = f"r{self.views}"
            self.emit(depth, f"{view} = m[{self.rng.choice(['0', '1', 'k % 2', 'p[0] % 2'])}]")
            self.emit(depth, f"{view}[{self.index()}] = {self.value()} + {view}[{self.index()}] * 0.5")
            self.emit(depth, f"s += {view}[{self.index()}] * {self.value()}")
        elif choice == 13:
            self.views += 1
            view = f"v{self.views}"
            lower = self.rng.choice(["", "0", "1", "-3", "p[0] % 2"])
            upper = self.rng.choice(["", "3", "-1", "4"])
            self.emit(depth, f"{view} = {self.rng.choice(['z', 'w', 'row'])}[{lower}:{upper}]")
            positions = ["0", "1", "-1", "-2", "k % 2", f"p[{self.constant_index()}] % 2"]
            self.emit(depth, f"{view}[{self.rng.choice(positions)}] = {self.value()} * 0.5 + "
                             f"{view}[{self.rng.choice(positions)}] * 0.5")
            self.emit(depth, f"s += {view}[{self.rng.choice(positions)}] * {self.value()}")
        elif choice == 15:
            self.views += 1
            view = f"g{self.views}"
            self.emit(depth, f"{view} = shifted({self.rng.choice(['w', 'z', 'row'])}, {self.index()})")
            self.emit(depth, f"s += {view}[{self.index()}] * {self.value()}")
            self.emit(depth, f"z[{self.index()}] = {view}[{self.index()}] * 0.5")
        elif choice == 12:
            self.views += 1
            view = f"u{self.views}"
            self.emit(depth, f"{view} = choose(z, w, p[{self.constant_index()}] > 1)")
            self.emit(depth, f"s += {view}[{self.index()}] * {self.value()}")
            if self.rng.random() < 0.5:
                self.emit(depth, f"{self.rng.choice(['z', 'w', view])}[{self.index()}] = {self.value()}")
                self.emit(depth, f"s += {view}[{self.index()}] * 0.5")
        else:
            self.loops += 1
            counter = f"j{self.loops}"
            self.emit(depth, f"for {counter} in range(p[{self.constant_index()}]):")
            for _ in range(self.rng.randrange(1, 3)):
                self.statement(depth + 1)


def random_recording_program(seed):
    """Source text of a random ``program(x, p0)``, x a float array and p0 an int array, both of size 4."""
    builder = _Builder(seed)
    builder.emit(1, f"for k in range({builder.rng.randrange(1, 4)}):")
    for _ in range(builder.rng.randrange(2, 7)):
        builder.statement(2)
    builder.emit(1, "for i in range(4):")
    builder.emit(2, "s += z[i] * w[i] + m[1, i] * x[i]")
    builder.emit(1, "return s")
    return _HEADER + "\n".join(builder.lines) + "\n"
