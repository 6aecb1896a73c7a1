"""Random conditions with calls that change arrays: srcad keeps Python's order of evaluation.

Each program calls helpers that write into a local array from the operands
of ``and``/``or``/``not``, from the branches of conditional expressions and
from ``while``, ``if`` and ``elif`` tests.  A call that runs once too often
or too early changes the value, so the derivative's value must equal the
primal's exactly, and its gradient must match central differences.  The
generated code runs as plain Python (no compilation).
"""

import random

import numpy as np
import pytest

from random_programs import load_program
from fd import taped_reverse
from srcad.api import Transformation

_HELPERS = '''
import numpy as np


def halve(w):
    w[0] = w[0] * 0.5
    return w[0]


def bump(w, x):
    w[1] = w[1] + x
    return w[1]
'''

_ATOMS = ["k < {c}", "halve(w) > {t}", "bump(w, x) < {u}", "x > {t}", "w[0] > {t}", "w[1] < {u}"]


def _condition(rng, depth):
    if depth == 0 or rng.random() < 0.3:
        atom = rng.choice(_ATOMS)
        return atom.format(c=rng.randint(0, 4), t=rng.choice([0.05, 0.2, 0.6]), u=rng.choice([1.5, 2.5, 4.0]))
    if rng.random() < 0.15:
        return f"not ({_condition(rng, depth - 1)})"
    op = rng.choice([" and ", " or "])
    return "(" + op.join(_condition(rng, depth - 1) for _ in range(rng.randint(2, 3))) + ")"


def _program(seed):
    rng = random.Random(seed)
    c = [_condition(rng, 2) for _ in range(4)]
    lines = [
        "def program(x):",
        "    w = np.ones(2)",
        "    k = 0",
        "    s = 0.0",
        f"    while {c[0]}:",
        "        k += 1",
        "        s += x * w[0] + w[1]",
        "        if k > 5:",
        "            break",
        f"    if {c[1]}:",
        "        s += x * x",
        f"    elif {c[2]}:",
        "        s -= x",
        f"    s += x * halve(w) if {c[3]} else bump(w, x) * 0.5",
        "    return s + w[0] * x + w[1] * x",
    ]
    return _HELPERS + "\n\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(40))
def test_calls_in_conditions_run_as_python_runs_them(tmp_path_factory, seed):
    program, text = load_program(tmp_path_factory.mktemp("order"), _program(seed), f"order_{seed}")
    reverse = taped_reverse(Transformation(program, "value_and_grad", 0).specialize(("float",)))
    for x in (0.3, 1.7):
        value, grad, fneeded, ineeded = reverse(x, 1.0, np.empty(4096), np.empty(1024, np.int64))
        assert fneeded <= 4096 and ineeded <= 1024
        assert value == program(x), text
        h = 1e-6
        right = (program(x + h) - value) / h
        left = (value - program(x - h)) / h
        if abs(right - left) > 1e-3 * max(1.0, abs(right)):
            continue   # a condition changes within h of x: the function jumps there
        numeric = (right + left) / 2
        assert abs(grad - numeric) <= 1e-6 * max(1.0, abs(numeric)), text
