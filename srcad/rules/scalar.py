"""Rules of scalar arithmetic, builtins and the ``math`` module (and NumPy's scalar ufuncs)."""

import ast
import builtins
import math

import numpy as np

from .registry import register, register_operator

# Operators --------------------------------------------------------------
register_operator(ast.Add, ("a", "b"), ("1.0", "1.0"))
register_operator(ast.Sub, ("a", "b"), ("1.0", "-1.0"))
register_operator(ast.Mult, ("a", "b"), ("b", "a"))
register_operator(ast.Div, ("a", "b"), ("1.0 / b", "-out / b"), result="div")
register_operator(ast.Pow, ("a", "b"), ("b * a ** (b - 1)", "out * math.log(a) if a > 0.0 else 0.0"), result="pow")
register_operator(ast.FloorDiv, ("a", "b"), (None, None))
register_operator(ast.Mod, ("a", "b"), ("1.0", "-math.floor(a / b)"))
register_operator(ast.USub, ("a",), ("-1.0",))
register_operator(ast.UAdd, ("a",), ("1.0",))

_SIGN = "(1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0))"

# Builtins ---------------------------------------------------------------
register([builtins.abs], "abs", ("x",), (_SIGN,), result="join")
register([builtins.min], "min", ("a", "b"), ("1.0 if a <= b else 0.0", "0.0 if a <= b else 1.0"), result="join")
register([builtins.max], "max", ("a", "b"), ("1.0 if a >= b else 0.0", "0.0 if a >= b else 1.0"), result="join")
register([builtins.pow], "pow", ("a", "b"), ("b * a ** (b - 1)", "out * math.log(a) if a > 0.0 else 0.0"), result="pow")
register([builtins.float], "float", ("x",), ("1.0",))
register([builtins.int], "int", ("x",), (None,), result="int")
register([builtins.round], "round", ("x",), (None,), result="int")
register([builtins.bool], "bool", ("x",), (None,), result="bool")

# One-argument math functions: (math name, numpy names, partial) ------------
_UNARY = [
    ("sin", ["sin"], "math.cos(x)"),
    ("cos", ["cos"], "-math.sin(x)"),
    ("tan", ["tan"], "1.0 + out * out"),
    ("asin", ["arcsin"], "1.0 / math.sqrt(1.0 - x * x)"),
    ("acos", ["arccos"], "-1.0 / math.sqrt(1.0 - x * x)"),
    ("atan", ["arctan"], "1.0 / (1.0 + x * x)"),
    ("sinh", ["sinh"], "math.cosh(x)"),
    ("cosh", ["cosh"], "math.sinh(x)"),
    ("tanh", ["tanh"], "1.0 - out * out"),
    ("asinh", ["arcsinh"], "1.0 / math.sqrt(x * x + 1.0)"),
    ("acosh", ["arccosh"], "1.0 / math.sqrt(x * x - 1.0)"),
    ("atanh", ["arctanh"], "1.0 / (1.0 - x * x)"),
    ("exp", ["exp"], "out"),
    ("expm1", ["expm1"], "out + 1.0"),
    ("log1p", ["log1p"], "1.0 / (1.0 + x)"),
    ("log2", ["log2"], "1.0 / (x * 0.6931471805599453)"),
    ("log10", ["log10"], "1.0 / (x * 2.302585092994046)"),
    ("sqrt", ["sqrt"], "0.5 / out"),
    ("erf", [], "1.1283791670955126 * math.exp(-x * x)"),
    ("erfc", [], "-1.1283791670955126 * math.exp(-x * x)"),
    ("fabs", ["fabs", "abs", "absolute"], _SIGN),
    ("degrees", ["degrees", "rad2deg"], "57.29577951308232"),
    ("radians", ["radians", "deg2rad"], "0.017453292519943295"),
]
for _name, _np_names, _partial in _UNARY:
    register([getattr(math, _name)] + [getattr(np, n) for n in _np_names], f"math.{_name}", ("x",), (_partial,))

# log takes an optional base; the frontend rewrites log(x, b) as log(x) / log(b).
register([math.log, np.log], "math.log", ("x",), ("1.0 / x",))
register([math.floor], "math.floor", ("x",), (None,), result="int")
register([math.ceil], "math.ceil", ("x",), (None,), result="int")
register([math.trunc], "math.trunc", ("x",), (None,), result="int")
register([np.floor], "np.floor", ("x",), (None,))
register([np.ceil], "np.ceil", ("x",), (None,))
register([np.trunc], "np.trunc", ("x",), (None,))
register([np.sign], "np.sign", ("x",), (None,), result="join")
register([math.atan2, np.arctan2], "math.atan2", ("y", "x"), ("x / (x * x + y * y)", "-y / (x * x + y * y)"))
register([math.hypot, np.hypot], "math.hypot", ("a", "b"), ("a / out if out != 0.0 else 0.0", "b / out if out != 0.0 else 0.0"))
register([math.pow, np.power], "math.pow", ("a", "b"), ("b * a ** (b - 1.0)", "out * math.log(a) if a > 0.0 else 0.0"))
register([math.copysign, np.copysign], "math.copysign", ("a", "b"),
         ("(1.0 if a >= 0.0 else -1.0) * (1.0 if out >= 0.0 else -1.0)", None))
register([np.maximum, np.fmax], "max", ("a", "b"), ("1.0 if a >= b else 0.0", "0.0 if a >= b else 1.0"), result="join")
register([np.minimum, np.fmin], "min", ("a", "b"), ("1.0 if a <= b else 0.0", "0.0 if a <= b else 1.0"), result="join")

# digamma comes with srcad's runtime, imported by every generated module
register([math.lgamma], "math.lgamma", ("x",), ("digamma(x)",))
register([math.gamma], "math.gamma", ("x",), ("out * digamma(x)",))

# Runtime helpers that generated code calls are primitives like any other, so a derivative
# can be differentiated again.  tetragamma (trigamma's derivative) is compiled but has no rule:
# a fourth derivative of lgamma is refused as a call without one.
register([], "digamma", ("x",), ("trigamma(x)",))
register([], "trigamma", ("x",), ("tetragamma(x)",))
register([], "range_len", ("start", "stop", "step"), (None, None, None), result="int")

# NumPy's spellings of arithmetic and a few more ufuncs
register([np.multiply], "np.multiply", ("a", "b"), ("b", "a"), result="join")
register([np.divide, np.true_divide], "np.divide", ("a", "b"), ("1.0 / b", "-out / b"), result="div")
register([np.negative], "np.negative", ("x",), ("-1.0",), result="join")
register([np.reciprocal], "np.reciprocal", ("x",), ("-out * out",))
register([np.exp2], "np.exp2", ("x",), ("out * 0.6931471805599453",))
register([np.mod, np.remainder], "np.mod", ("a", "b"), ("1.0", "-math.floor(a / b)"), result="join")
register([np.square], "np.square", ("x",), ("2.0 * x",), result="join")
register([np.cbrt], "np.cbrt", ("x",), ("1.0 / (3.0 * out * out)",))
register([np.sinc], "np.sinc", ("x",), ("(math.cos(3.141592653589793 * x) - out) / x if x != 0.0 else 0.0",))
register([np.logaddexp], "np.logaddexp", ("a", "b"), ("math.exp(a - out)", "math.exp(b - out)"))
