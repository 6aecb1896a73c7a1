"""Property test on random nested array expressions: reverse, forward and finite differences agree.

The generated code runs as plain Python, which is strict about names read
before they are assigned and indices out of bounds.
"""

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from fd import assert_close, gradient, plain, taped_reverse
from random_array_expressions import random_array_expression_program
from random_programs import load_program
from srcad.analysis import ArrayType
from srcad.api import Transformation

_TYPES = (ArrayType("float64", 2), ArrayType("float64", 2), ArrayType("float64", 1), ArrayType("float64", 1),
          "float")
_WRT = (0, 1, 2, 3, 4)


def _plain(function):
    return getattr(function, "py_func", function)


@settings(max_examples=40, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**9))
def test_random_array_expressions(tmp_path_factory, seed):
    text = random_array_expression_program(seed)
    program, _ = load_program(tmp_path_factory.mktemp("array_expressions"), text, f"array_expression_{seed}")
    rng = np.random.default_rng(seed % 1000)
    args = (rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, (4, 3)), rng.uniform(-1, 1, 4), rng.uniform(-1, 1, 3),
            float(rng.uniform(-1, 1)))
    reverse = taped_reverse(Transformation(program, "value_and_grad", _WRT).specialize(_TYPES))
    forward = _plain(Transformation(program, "jvp", _WRT).specialize(_TYPES).functions["main"])
    value, grads, fneeded, ineeded = reverse(*args, 1.0, np.empty(16), np.empty(16, np.int64))
    if fneeded > 16 or ineeded > 16:
        value, grads, _, _ = reverse(*args, 1.0, np.empty(fneeded), np.empty(ineeded, np.int64))
    assert_close(value, program(*args), what=f"value of\n{text}")
    assert_close(grads, gradient(program, args, _WRT), rtol=1e-5, atol=1e-7, what=f"gradient of\n{text}")
    tangents = tuple(rng.standard_normal(np.shape(a)) if np.ndim(a) else float(rng.standard_normal()) for a in args)
    _, directional = forward(*args, *tangents)
    expected = sum(float(np.sum(g * t)) for g, t in zip(grads, tangents))
    assert_close(directional, expected, rtol=1e-9, atol=1e-11, what=f"<grad, v> against jvp of\n{text}")
