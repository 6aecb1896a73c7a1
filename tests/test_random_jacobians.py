"""Property test: on random programs, vector-mode Jacobians equal the scalar adjoint's gradient.

The random scalar and array programs of the other property tests are
differentiated by jacfwd (a block of directions through one tangent sweep)
and jacrev (a block of cotangents through one adjoint sweep); both must give
the gradient of value_and_grad.  Everything runs as plain Python.
"""

import types

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from random_array_programs import random_array_program
from random_programs import load_program, random_program
from fd import plain, taped_reverse
from srcad.analysis import ArrayType
from srcad.api import Transformation


def plain_entry(transformation, arg_types):
    """The Jacobian driver of ``transformation`` for ``arg_types``, calling the other generated
    functions as plain Python too."""
    spec = transformation.specialize(arg_types)
    namespace = dict(vars(spec.module))
    for key, value in vars(spec.module).items():
        if hasattr(value, "py_func"):
            namespace[key] = types.FunctionType(value.py_func.__code__, namespace, key)
    return namespace[getattr(spec.functions["jacobian"], "py_func", spec.functions["jacobian"]).__name__]


def gradient(program, arg_types, args):
    reverse = taped_reverse(Transformation(program, "value_and_grad", (0, 1)).specialize(arg_types))
    value, grads, fneeded, ineeded = reverse(*args, 1.0, np.empty(4), np.empty(4, np.int64))
    if fneeded > 4 or ineeded > 4:
        value, grads, _, _ = reverse(*args, 1.0, np.empty(fneeded), np.empty(ineeded, np.int64))
    return grads


def check(program, text, arg_types, args):
    expected = gradient(program, arg_types, args)
    for kind in ("jacfwd", "jacrev"):
        got = plain_entry(Transformation(program, kind, (0, 1)), arg_types)(*args)
        for part, reference in zip(got, expected):
            assert np.allclose(part, reference, rtol=1e-10, atol=1e-10), f"{kind}\n{text}\nargs={args!r}"


SETTINGS = dict(deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings(max_examples=40, **SETTINGS)
@given(seed=st.integers(0, 10**9), a=st.floats(-1.5, 1.5), b=st.floats(-1.5, 1.5), n=st.integers(0, 4))
def test_scalar_programs(tmp_path_factory, seed, a, b, n):
    program, text = load_program(tmp_path_factory.mktemp("programs"), random_program(seed), f"program_{seed}")
    check(program, text, ("float", "float", "int"), (a, b, n))


@settings(max_examples=25, **SETTINGS)
@given(seed=st.integers(0, 10**9), n=st.integers(0, 3))
def test_array_programs(tmp_path_factory, seed, n):
    program, text = load_program(tmp_path_factory.mktemp("array_programs"), random_array_program(seed),
                                 f"array_program_{seed}")
    rng = np.random.default_rng(seed % 1000)
    x, w = rng.uniform(-1, 1, 5), rng.uniform(-1, 1, 5)
    array = ArrayType("float64", 1)
    check(program, text, (array, array, "int"), (x, w, n))
