"""SciPy's special functions as functions compiled code can call: the runtime of srcad's special-function rules.

Generated code spells these calls ``scipy_special.erfcx(x)`` and imports this
module under that name.  Each function is SciPy's own compiled (Cython)
implementation for double arguments, reached through its address, so the
derivative calls exactly what ``scipy.special`` computes.  Another binding of
the same SciPy function (numba-stats makes its own) is recognised by that
address: see :func:`function_address` and :mod:`srcad.rules.special`.

>>> from srcad.backend import special
>>> round(special.ndtr(0.0), 12)
0.5
"""

import ctypes

ARITY = {
    "ndtr": 1, "log_ndtr": 1, "ndtri": 1, "erfcx": 1, "erfinv": 1, "gammaln": 1, "psi": 1, "expit": 1, "logit": 1,
    "xlogy": 2, "xlog1py": 2, "gammainc": 2, "gammaincc": 2, "stdtr": 2, "owens_t": 2, "kv": 2, "iv": 2,
    "ive": 2, "betainc": 3, "chndtr": 3, "voigt_profile": 3, "hyp2f1": 4,
}
_cache = {}


def _capsule_name(capsule):
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype = ctypes.c_char_p
    get_name.argtypes = [ctypes.py_object]
    return get_name(capsule).decode()


def cython_name(name):
    """The name of SciPy's exported C function of ``name`` for double arguments (fused variants differ)."""
    from scipy.special import cython_special

    arity = ARITY[name]
    wanted = "double (" + ", ".join(["double"] * arity)
    for candidate in (name, f"__pyx_fuse_0{name}", f"__pyx_fuse_1{name}"):
        capsule = cython_special.__pyx_capi__.get(candidate)
        if capsule is not None and _capsule_name(capsule).startswith(wanted):
            return candidate
    raise LookupError(f"scipy.special exports no double version of {name}")


def function_address(name):
    """The address of SciPy's double ``name``: what every binding of it calls."""
    from numba.extending import get_cython_function_address

    return get_cython_function_address("scipy.special.cython_special", cython_name(name))


def _binding(name):
    from numba import types
    from numba.types import WrapperAddressProtocol

    if name not in _cache:
        address = function_address(name)
        signature = types.float64(*([types.float64] * ARITY[name]))
        kind = type(name, (WrapperAddressProtocol,), {
            "__wrapper_address__": lambda self: address,
            "signature": lambda self: signature,
            "__call__": lambda self, *args: _python_call(name, *args),
            "__repr__": lambda self: f"<scipy.special.{name} for compiled code>",
        })
        _cache[name] = kind()
    return _cache[name]


def _python_call(name, *args):
    import scipy.special

    return float(getattr(scipy.special, name)(*args))


def __getattr__(name):
    # bindings are made on first use: importing this module does not import SciPy
    if name in ARITY:
        return _binding(name)
    raise AttributeError(name)
