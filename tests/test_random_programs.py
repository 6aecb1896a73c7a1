"""Property test: on random programs, reverse mode, forward mode and finite differences agree.

The generated derivative code is run as plain Python here (``py_func``), so
hundreds of programs cost no compilation; other tests run the same generated
code compiled.
"""

import math

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from random_programs import load_program, random_program
from fd import plain, taped_reverse
from srcad.api import Transformation



def _load(tmp_path_factory, seed):
    return load_program(tmp_path_factory.mktemp("programs"), random_program(seed), f"program_{seed}")


def _finite_difference(f, a, b, n, index, h=1e-6):
    args_plus, args_minus = [a, b], [a, b]
    args_plus[index] += h
    args_minus[index] -= h
    return (f(*args_plus, n) - f(*args_minus, n)) / (2 * h)


# No shrinking: a seed already names the whole program, and the message prints it.
@settings(max_examples=150, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**9), a=st.floats(-1.5, 1.5), b=st.floats(-1.5, 1.5), n=st.integers(0, 4))
def test_reverse_forward_and_differences_agree(tmp_path_factory, seed, a, b, n):
    program, text = _load(tmp_path_factory, seed)
    value = program(a, b, n)
    reverse = taped_reverse(Transformation(program, "value_and_grad", (0, 1)).specialize(("float", "float", "int")))
    forward = plain(Transformation(program, "jvp", (0, 1)).specialize(("float", "float", "int")).functions["main"])
    # tiny tapes first: a run that does not fit reports the sizes it needs
    rev_value, (ga, gb), fneeded, ineeded = reverse(a, b, n, 1.0, np.empty(4), np.empty(4, np.int64))
    if fneeded > 4 or ineeded > 4:
        rev_value, (ga, gb), _, _ = reverse(a, b, n, 1.0, np.empty(fneeded), np.empty(ineeded, np.int64))
    fwd_value, directional = forward(a, b, n, 0.3, -0.7)
    assert rev_value == value and fwd_value == value, text
    assert math.isclose(directional, 0.3 * ga - 0.7 * gb, rel_tol=1e-9, abs_tol=1e-9), text
    for index, g in ((0, ga), (1, gb)):
        numeric = _finite_difference(program, a, b, n, index)
        coarse = _finite_difference(program, a, b, n, index, h=1e-5)
        right, left = [a, b], [a, b]
        right[index] += 1e-5
        left[index] -= 1e-5
        slope_right = (program(*right, n) - value) / 1e-5
        slope_left = (value - program(*left, n)) / 1e-5
        # a branch boundary or kink within the step makes differences depend on the step and on
        # the side: there is no reference derivative there
        tol = 1e-4 * max(1.0, abs(numeric))
        smooth = abs(numeric - coarse) <= tol and abs(slope_right - slope_left) <= 1e-3 * abs(coarse) + 1e-6
        if smooth:
            assert abs(numeric - g) <= 1e-4 * max(1.0, abs(numeric)), \
                f"{text}\na={a!r} b={b!r} n={n}: d/d{'ab'[index]} reverse {g} numeric {numeric}"
