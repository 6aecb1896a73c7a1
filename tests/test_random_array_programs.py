"""Property test on random array programs: reverse, forward and finite differences agree.

As for the scalar programs, the generated code runs as plain Python here.
"""

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from random_array_programs import random_array_program
from random_programs import load_program
from fd import plain, taped_reverse
from srcad.api import Transformation



def _load(tmp_path_factory, seed):
    return load_program(tmp_path_factory.mktemp("array_programs"), random_array_program(seed),
                        f"array_program_{seed}")


def _types():
    from srcad.analysis import ArrayType
    return (ArrayType("float64", 1), ArrayType("float64", 1), "int")


def _run_reverse(reverse, args):
    value, grads, fneeded, ineeded = reverse(*args, 1.0, np.empty(4), np.empty(4, np.int64))
    if fneeded > 4 or ineeded > 4:
        value, grads, _, _ = reverse(*args, 1.0, np.empty(fneeded), np.empty(ineeded, np.int64))
    return value, grads


@settings(max_examples=60, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**9), n=st.integers(0, 3))
def test_array_programs(tmp_path_factory, seed, n):
    program, text = _load(tmp_path_factory, seed)
    rng = np.random.default_rng(seed % 1000)
    x, w = rng.uniform(-1, 1, 5), rng.uniform(-1, 1, 5)
    x0, w0 = x.copy(), w.copy()
    reverse = taped_reverse(Transformation(program, "value_and_grad", (0, 1)).specialize(_types()))
    forward = plain(Transformation(program, "jvp", (0, 1)).specialize(_types()).functions["main"])
    value, (gx, gw) = _run_reverse(reverse, (x, w, n))
    assert np.array_equal(x, x0) and np.array_equal(w, w0), text
    assert abs(value - program(x, w, n)) <= 1e-12 * max(1.0, abs(value)), text
    vx, vw = rng.standard_normal(5), rng.standard_normal(5)
    fvalue, directional = forward(x, w, n, vx, vw)
    expected = np.dot(gx, vx) + np.dot(gw, vw)
    assert abs(directional - expected) <= 1e-9 * max(1.0, abs(expected)), text
    h = 1e-6
    numeric = (program(x + h * vx, w + h * vw, n) - program(x - h * vx, w - h * vw, n)) / (2 * h)
    assert abs(numeric - expected) <= 1e-5 * max(1.0, abs(expected)), f"{text}\nn={n}: {numeric} vs {expected}"
