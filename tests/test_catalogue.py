"""Every catalogue function (tests/catalogue.py) in every mode that applies to it.

grad: the gradient against central finite differences; jvp: the value against the
function run by Python, the tangent against differences along the tangents; vjp: the
value, and ``<w, J v>`` forward against reverse; jacfwd and jacrev: the Jacobian against
jvp's columns; hessian: symmetric, and ``H v`` against differences of the gradient
along ``v``; hvp: against differences of the gradient, and ``<w, H v> == <v, H w>``;
check: ``value_and_grad(check=True)``'s own check passes, and its value and gradient
are right.

Every case runs the generated functions as plain Python (uncompiled, which is strict
about names read before they are assigned and about indices out of bounds); a
deterministic sample of about ten cases, one of each mode first, also runs compiled
through the public API.  A last test checks that every rule and array operation of
srcad's table is exercised by a catalogue function or by a test named in
``COVERED_ELSEWHERE``.
"""

import contextlib
import importlib
import types
import zlib

import numpy as np
import pytest

import srcad
from srcad.analysis import ArrayType
from srcad.api import Transformation
from srcad.rules import array_operations, registry
from srcad.checking.calls import verify_call

import catalogue
import fd

CASES = catalogue.cases()
IDS = [f"{entry.name}-{mode}" for entry, mode in CASES]


# ---------------------------------------------------------------- which rules a build looks up
class _Recorded(dict):
    """A rule table that notes the names looked up while a recorder is on."""

    sink = None

    def get(self, key, default=None):
        if _Recorded.sink is not None and key in self:
            _Recorded.sink.add(getattr(key, "__name__", key))
        return super().get(key, default)


for _module, _attribute in ((registry, "_calls"), (registry, "_operators"), (array_operations, "_operations")):
    if not isinstance(getattr(_module, _attribute), _Recorded):
        setattr(_module, _attribute, _Recorded(getattr(_module, _attribute)))


@contextlib.contextmanager
def _recording(sink):
    previous, _Recorded.sink = _Recorded.sink, sink
    try:
        yield sink
    finally:
        _Recorded.sink = previous


# ---------------------------------------------------------------- building, once a (function, mode)
_built = {}       # (entry name, mode) -> (transformation, rules looked up while building)
_namespaces = {}  # specialization -> its module's namespace with plain Python functions


def _transformation(entry, mode, wrt=None):
    """The transformation of ``entry`` in ``mode`` (``wrt`` for another one), specialized for its examples."""
    wrt = entry.wrt_of(mode) if wrt is None else wrt
    key = (entry.name, mode, wrt)
    if key not in _built:
        t = catalogue.transformation(entry, mode, wrt)
        with _recording(set()) as rules:
            t.specialize(catalogue.argument_types(t, entry.example()))
        _built[key] = (t, rules)
    return _built[key][0]


def _plain_functions(spec):
    """``spec``'s generated functions as plain Python, calling each other uncompiled."""
    if spec not in _namespaces:
        namespace = dict(vars(spec.module))
        for key, value in vars(spec.module).items():
            python = getattr(value, "py_func", None)
            if python is None:
                continue
            if python.__module__ == spec.module.__name__:
                namespace[key] = types.FunctionType(python.__code__, namespace, key, python.__defaults__)
            else:
                namespace[key] = python   # srcad's runtime and custom rules keep their own module
        _namespaces[spec] = {key: namespace[fd.plain(f).__name__] for key, f in spec.functions.items()}
    return _namespaces[spec]


def _plain_call(t, args):
    """``t(*args)``, its generated code run as plain Python, presented as the public callable presents it."""
    spec = t._resolve(args)[0]
    params, extra, _ = t.split_args(args, t.extra_count())
    function = _plain_functions(spec)[t.form.python_entry(t)]
    result = t.form.call(t, spec, function, params, extra)
    if t.options["check"]:
        verify_call(t, args, result)
    return result


class Runner:
    """Runs ``mode`` of an entry: as plain Python, or compiled through the public API."""

    def __init__(self, compiled):
        self.compiled = compiled
        self.public = {}

    def __call__(self, entry, mode, *args, wrt=None):
        args = _copies(args)
        if not self.compiled:
            return _plain_call(_transformation(entry, mode, wrt), args)
        key = (entry.name, mode, wrt)
        if key not in self.public:
            kind = catalogue.KIND[mode]
            options = {"check": True} if mode == "check" else {}
            self.public[key] = getattr(srcad, kind)(entry.func, wrt=entry.wrt_of(mode) if wrt is None else wrt,
                                                    **options)
        return self.public[key](*args)


PLAIN = Runner(compiled=False)
COMPILED = Runner(compiled=True)


# ---------------------------------------------------------------- references
def _copies(args):
    return tuple(np.copy(a) if isinstance(a, np.ndarray) else a for a in args)


def _python(entry, args):
    """The function run by Python, on copies (it may write into its arguments)."""
    return entry.func(*_copies(args))


def _like(value, rng, scaled_by=None):
    """A random value of ``value``'s structure (a float for a scalar or an int, a float array for an array)."""
    if isinstance(value, tuple):
        return tuple(_like(v, rng) for v in value)
    if isinstance(value, np.ndarray):
        out = rng.standard_normal(value.shape)
        return out * np.maximum(1.0, np.abs(value)) if scaled_by is not None else out
    return float(rng.standard_normal()) * (max(1.0, abs(value)) if scaled_by is not None else 1.0)


def _tangents(entry, args, rng, wrt=None):
    """One tangent a wrt argument, each entry scaled by the size of the argument's entry."""
    indices = entry.indices if wrt is None else (wrt,)
    return tuple(_like(args[i] if isinstance(args[i], np.ndarray) else float(args[i]), rng, scaled_by=True)
                 for i in indices)


def _flat(value):
    if isinstance(value, tuple):
        return np.concatenate([_flat(v) for v in value]) if value else np.zeros(0)
    return np.ravel(np.asarray(value, dtype=np.float64))


def _moved(args, indices, tangents, t):
    moved = list(_copies(args))
    for i, v in zip(indices, tangents):
        moved[i] = moved[i] + t * v if isinstance(moved[i], np.ndarray) else float(moved[i]) + t * v
    return tuple(moved)


def _along(function, args, indices, tangents, h=2.0 ** -13):
    """The fourth-order central difference of ``function`` (flattened) along ``tangents``."""
    at = [_flat(function(*_moved(args, indices, tangents, s * h))) for s in (-2, -1, 1, 2)]
    return (at[0] - 8.0 * at[1] + 8.0 * at[2] - at[3]) / (12.0 * h)


_fd_gradients = {}


def _fd_gradient(entry, args):
    """Central differences of the function, shaped like grad's answer (computed once an entry)."""
    if entry.name not in _fd_gradients:
        _fd_gradients[entry.name] = fd.gradient(lambda *a: _python(entry, a), args, entry.wrt)
    return _fd_gradients[entry.name]


def _rng(entry, mode):
    return np.random.default_rng(zlib.crc32(f"{entry.name}/{mode}".encode()))


# ---------------------------------------------------------------- one check a mode
def check_grad(entry, run):
    args = entry.example()
    got = run(entry, "grad", *args)
    fd.assert_close(got, _fd_gradient(entry, args), entry.rtol, entry.atol, what="gradient vs differences")


def check_jvp(entry, run):
    args = entry.example()
    tangents = _tangents(entry, args, _rng(entry, "jvp"))
    value, tangent = run(entry, "jvp", *args, *tangents)
    fd.assert_close(value, _python(entry, args), entry.value_rtol, 1e-12, what="value vs Python")
    expected = _along(lambda *a: _python(entry, a), args, entry.indices, tangents)
    fd.assert_close(_flat(tangent), expected, entry.rtol, entry.atol, what="tangent vs differences along it")


def check_vjp(entry, run):
    args = entry.example()
    rng = _rng(entry, "vjp")
    expected_value = _python(entry, args)
    cotangent = _like(expected_value, rng)
    value, pulled = run(entry, "vjp", *args, cotangent)
    fd.assert_close(value, expected_value, entry.value_rtol, 1e-12, what="value vs Python")
    tangents = _tangents(entry, args, rng)
    _, tangent = run(entry, "jvp", *args, *tangents)
    pulled = (pulled,) if isinstance(entry.wrt, int) else pulled
    forward, reverse = fd.dot(_flat(cotangent), _flat(tangent)), fd.dot(tuple(pulled), tangents)
    fd.assert_close(reverse, forward, 1e-9, 1e-11 * (1.0 + abs(forward)), what="<w, J v> reverse vs forward")


def _jacobian_check(mode):
    def check(entry, run):
        args = entry.example()
        jacobians = run(entry, mode, *args)
        jacobians = (jacobians,) if isinstance(entry.wrt, int) else jacobians
        out_shape = np.shape(_python(entry, args))
        zeros = [np.zeros_like(args[i]) if isinstance(args[i], np.ndarray) else 0.0 for i in entry.indices]
        for position, (i, J) in enumerate(zip(entry.indices, jacobians)):
            in_shape = np.shape(args[i])
            assert np.shape(J) == out_shape + in_shape, f"{mode} wrt {i}: shape {np.shape(J)}"
            columns = np.reshape(J, (int(np.prod(out_shape, dtype=int)), -1))
            for k in range(int(np.prod(in_shape, dtype=int))):
                tangents = list(zeros)
                if in_shape:
                    unit = np.zeros(in_shape)
                    unit.flat[k] = 1.0
                    tangents[position] = unit
                else:
                    tangents[position] = 1.0
                _, tangent = run(entry, "jvp", *args, *tangents)
                fd.assert_close(columns[:, k], _flat(tangent), 1e-10, 1e-12, what=f"{mode} column {k} of wrt {i} vs jvp")
    return check


def _gradient_along(entry, run, args, wrt, v):
    """Central differences of srcad's gradient with respect to argument ``wrt`` along ``v`` (the grad mode's
    gradient where it includes ``wrt``)."""
    if wrt in entry.indices:
        if isinstance(entry.wrt, int):
            return _along(lambda *a: run(entry, "grad", *a), args, (wrt,), (v,))
        position = entry.indices.index(wrt)
        return _along(lambda *a: run(entry, "grad", *a)[position], args, (wrt,), (v,))
    return _along(lambda *a: run(entry, "grad", *a, wrt=wrt), args, (wrt,), (v,))


def check_hessian(entry, run):
    args = entry.example()
    wrt = entry.wrt_of("hessian")
    H = run(entry, "hessian", *args)
    shape = np.shape(args[wrt])
    assert np.shape(H) == shape + shape, f"shape {np.shape(H)}"
    n = int(np.prod(shape, dtype=int))
    square = np.reshape(H, (n, n))
    fd.assert_close(square, square.T, 1e-9, 1e-10 * (1.0 + np.max(np.abs(square))), what="symmetry")
    (v,) = _tangents(entry, args, _rng(entry, "hessian"), wrt)
    expected = _gradient_along(entry, run, args, wrt, v)
    fd.assert_close(square @ _flat(v), expected, entry.rtol * 10, entry.atol * 10, what="H v vs differences of grad")


def check_hvp(entry, run):
    args = entry.example()
    wrt = entry.wrt_of("hvp")
    rng = _rng(entry, "hvp")
    (v,) = _tangents(entry, args, rng, wrt)
    (w,) = _tangents(entry, args, rng, wrt)
    hv = run(entry, "hvp", *args, v)
    assert np.shape(hv) == np.shape(args[wrt])
    expected = _gradient_along(entry, run, args, wrt, v)
    fd.assert_close(_flat(hv), expected, entry.rtol * 10, entry.atol * 10, what="H v vs differences of grad")
    hw = run(entry, "hvp", *args, w)
    forward, backward = fd.dot(_flat(w), _flat(hv)), fd.dot(_flat(v), _flat(hw))
    fd.assert_close(forward, backward, 1e-9, 1e-10 * (1.0 + abs(forward)), what="<w, H v> vs <v, H w>")


def check_check(entry, run):
    args = entry.example()
    value, gradient = run(entry, "check", *args)   # raises DerivativeMismatchError on a wrong number
    fd.assert_close(value, _python(entry, args), entry.value_rtol, 1e-12, what="value vs Python")
    fd.assert_close(gradient, _fd_gradient(entry, args), entry.rtol, entry.atol, what="gradient vs differences")


CHECKS = {"grad": check_grad, "jvp": check_jvp, "vjp": check_vjp, "jacfwd": _jacobian_check("jacfwd"),
          "jacrev": _jacobian_check("jacrev"), "hessian": check_hessian, "hvp": check_hvp, "check": check_check}


# ---------------------------------------------------------------- the cases
@pytest.mark.parametrize("entry, mode", CASES, ids=IDS)
def test_plain_python(entry, mode):
    CHECKS[mode](entry, PLAIN)


def _compiled_sample(count=10):
    """``count`` cases, the same on every run: one of each mode, then first-order ones (cheaper to compile),
    each the next in the order of a hash of its id."""
    ordered = sorted(zip(IDS, CASES), key=lambda item: zlib.crc32(item[0].encode()))
    sample, modes = [], set()
    for case_id, case in ordered:
        if case[1] not in modes:
            modes.add(case[1])
            sample.append((case_id, case))
    for item in ordered:
        if len(sample) >= count:
            break
        if item not in sample and item[1][1] in ("grad", "jvp", "vjp", "check"):
            sample.append(item)
    return sorted(sample)


SAMPLE = _compiled_sample()


@pytest.mark.parametrize("entry, mode", [case for _, case in SAMPLE], ids=[case_id for case_id, _ in SAMPLE])
def test_compiled(entry, mode):
    CHECKS[mode](entry, COMPILED)


# ---------------------------------------------------------------- the catalogue itself
def test_the_catalogue_is_large_and_every_mode_is_applicable_or_has_a_reason():
    assert len(catalogue.ENTRIES) >= 100
    for entry in catalogue.ENTRIES:
        for mode in catalogue.MODES:
            reason = entry.not_applicable(mode)
            assert (mode in entry.modes) != bool(reason), (entry.name, mode)
            assert reason is None or isinstance(reason, str) and reason.strip()
    assert {mode for _, mode in CASES} == set(catalogue.MODES)
    assert {mode for _, (_, mode) in SAMPLE} == set(catalogue.MODES)


# ---------------------------------------------------------------- every rule exercised
def _grad_of_two_floats(module, name):
    def build():
        t = Transformation(getattr(importlib.import_module(module), name), "grad", (0, 1))
        t.specialize(("float", "float"))
    return build


def _library_idiom(name, second):
    """A builder of the gradient of ``name`` of tests/examples_library_idioms.py, of a float64 vector and a
    scalar of type ``second``."""
    def build():
        t = Transformation(getattr(importlib.import_module("examples_library_idioms"), name), "grad", (0,))
        t.specialize((ArrayType("float64", 1), second))
    return build


def _third_derivative_of_lgamma():
    import examples_higher

    third = srcad.jvp(srcad.jvp(srcad.grad(examples_higher.lgamma_of)))
    third.__srcad__.specialize(("float", "float", "float"))


def _hessian_through_checkpoints():
    import examples_checkpoint

    hessian = srcad.hessian(examples_checkpoint.lorenz_scalars, checkpoint=2)
    hessian.__srcad__.specialize((ArrayType("float64", 1), "int", "float"))


def _every_special_function():
    import examples_special

    srcad.grad(examples_special.every_special).__srcad__.specialize(("float", "float"))


def _every_special_function_in_shape():
    import examples_special

    try:    # refused when the Hessian reads the rules of the shape derivatives
        srcad.hessian(examples_special.in_shape_parameters, wrt=1).__srcad__.specialize(("float", "float"))
    except srcad.UnsupportedError:
        pass


def _hessian_of_gammainc_in_a():
    import test_special_functions

    try:    # refused when the Hessian reads d/da gammainc's own rule
        srcad.hessian(test_special_functions.gammainc_in_a).__srcad__.specialize(("float", "float"))
    except srcad.UnsupportedError:
        pass


# Rules no catalogue function exercises, each with the test that does and a build of what it differentiates
# (so that the claim is checked, not only written down).
COVERED_ELSEWHERE = {
    "math.erf": ("tests/test_rules.py::test_reverse_vs_fd (u_erf)", _grad_of_two_floats("test_rules", "u_erf")),
    "math.erfc": ("tests/test_rules.py::test_reverse_vs_fd (u_erfc)", _grad_of_two_floats("test_rules", "u_erfc")),
    "math.floor": ("tests/test_rules.py::test_floor_ceil_have_zero_derivative (u_floor)",
                   _grad_of_two_floats("test_rules", "u_floor")),
    "math.copysign": ("tests/test_rules.py::test_reverse_vs_fd (b_copysign)",
                      _grad_of_two_floats("test_rules", "b_copysign")),
    "pow": ("tests/test_rules.py::test_reverse_vs_fd (b_builtin_pow)", _grad_of_two_floats("test_rules", "b_builtin_pow")),
    "trigamma": ("tests/test_higher.py::test_every_nesting_of_two_transforms_is_right_or_refused "
                 "(third derivative of lgamma_of, in higher_matrix.py)", _third_derivative_of_lgamma),
    # array operations of library idioms (np.full, np.atleast_2d, np.roll, ...)
    **{operation: ("tests/test_library_idioms.py::test_derivatives_against_finite_differences", build)
       for operation, build in (("np.full", _library_idiom("filled", "float")),
                                ("np.full_like", _library_idiom("filled", "float")),
                                ("np.atleast_2d", _library_idiom("at_least", "float")),
                                ("np.atleast_3d", _library_idiom("at_least", "float")),
                                ("np.roll", _library_idiom("rolled", "int")))},
    # the checkpoint controller and tape marks: core form of an adjoint that a Hessian differentiates again
    **{helper: ("tests/test_checkpointing.py::test_second_order_and_jacobians_through_a_checkpointed_loop",
                _hessian_through_checkpoints)
       for helper in ("_srcad_top_f", "_srcad_top_i", "checkpoint_advance_to", "checkpoint_begin",
                      "checkpoint_end_forward", "checkpoint_forward", "checkpoint_position", "checkpoint_restore",
                      "checkpoint_size", "checkpoint_snapshots", "checkpoint_take")},
    # SciPy's special functions, each in one function
    **{f"scipy_special.{name}": ("tests/test_special_functions.py::test_every_special_function_in_one_derivative",
                                 _every_special_function)
       for name in ("ndtr", "log_ndtr", "ndtri", "erfcx", "erfinv", "gammaln", "psi", "expit", "logit", "xlogy",
                    "xlog1py", "gammainc", "gammaincc", "stdtr", "owens_t", "kv", "iv", "ive", "betainc",
                    "chndtr", "voigt_profile", "hyp2f1")},
    "gammainc_da": ("tests/test_special_functions.py::test_partials_without_closed_form_are_refused_by_name",
                    _hessian_of_gammainc_in_a),
    "stdtr_ddf": ("tests/test_special_functions.py::test_derivatives_in_shape_parameters (a Hessian)",
                  _every_special_function_in_shape),
    "kv_dv": ("tests/test_special_functions.py::test_derivatives_in_shape_parameters (a Hessian)",
              _every_special_function_in_shape),
}


def _srcad_rules():
    """The names of srcad's own rules (users' custom rules are named ``_rule_...``) and array operations."""
    calls = {name for name in registry._calls if not name.startswith("_rule_")}
    return calls | {op.__name__ for op in registry._operators} | set(array_operations._operations)


def test_every_rule_and_array_operation_is_exercised_by_the_catalogue_or_a_named_test():
    """A rule is exercised where building a derivative looks it up in the table (each build here is one a
    catalogue case runs, made once for the whole module)."""
    exercised = set()
    for entry, mode in CASES:
        _transformation(entry, mode)
    for _, looked_up in _built.values():
        exercised |= looked_up
    rules = _srcad_rules()
    unexercised = sorted(rules - exercised - set(COVERED_ELSEWHERE))
    assert not unexercised, ("rules and array operations that no catalogue function exercises; add a function "
                             f"to tests/catalogue.py or name the test that does in COVERED_ELSEWHERE: {unexercised}")
    wrong = []
    for name, (test, build) in sorted(COVERED_ELSEWHERE.items()):
        with _recording(set()) as looked_up:
            build()
        if name not in looked_up:
            wrong.append(f"{name} (said to be covered by {test})")
    assert not wrong, f"COVERED_ELSEWHERE names functions that do not exercise the rule: {wrong}"
    assert not set(COVERED_ELSEWHERE) - rules, "COVERED_ELSEWHERE names rules srcad no longer has"


def test_the_sources_script_writes_one_stable_file_a_mode(tmp_path):
    """tests/catalogue_sources.py, run on one function, writes what the cases built (in a process of its own:
    it turns Numba's JIT off)."""
    import os
    import pathlib
    import subprocess
    import sys

    entry = catalogue.BY_NAME["golden.poly_sin"]
    script = pathlib.Path(__file__).with_name("catalogue_sources.py")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    out = subprocess.run([sys.executable, str(script), "--out", str(tmp_path), "--only", entry.name],
                         capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    names = [f"{entry.name}.{mode}.py" for mode in entry.modes]
    assert (tmp_path / "INDEX").read_text().split() == names
    for mode, name in zip(entry.modes, names):
        t = _transformation(entry, mode)
        assert (tmp_path / name).read_text() == t.specialize(catalogue.argument_types(t, entry.example())).source
