"""Derivative rules the user supplies for functions srcad cannot see into.

A solver, a special function or any other ``@numba.njit`` function can be
made a primitive by stating its partial derivatives::

    @srcad.rule(partials=("1.0 / (3.0 * out * out + 1.0)",))
    @numba.njit
    def root(a):
        ...   # Newton iterations srcad never reads

The rule goes into the same table as the built-in ones (see
:mod:`srcad.rules.registry`): calls to ``root`` are no longer inlined, the
tangent multiplies the partials by the argument tangents and the adjoint
accumulates them times the result's adjoint.

Generated modules call the function through a module-level name bound with
:func:`bound` (``_rule_<module>_<qualname>``).  The function's body does not
appear in the generated text, so the module header lists a fingerprint of each
bound function (its source, the sources of the functions it calls, the global
numbers it reads): a changed rule gives a new text and a new cache entry.
"""

import ast
import hashlib
import inspect
import math
import re
import sys
import types

import numpy as np

from ..errors import SrcadError
from .registry import register

# Names a partial may use besides the parameters, ``out`` and the function's own helpers.
_MODULES = {"math": math, "np": np}
_BUILTINS = frozenset({"abs", "min", "max", "float", "int", "bool", "round", "pow"})
_RESULTS = ("float", "int", "bool", "join")
_ALLOWED_NODES = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Call,
    ast.Constant, ast.Name, ast.Attribute, ast.Load,
    ast.operator, ast.unaryop, ast.boolop, ast.cmpop,
)


class _Binding:
    """One object that generated code calls by the module-level name ``name``."""

    def __init__(self, name, obj, target):
        self.name = name
        self.obj = obj          # what the user registered or named (kept alive: names are by identity)
        self.target = target    # what Numba calls: the dispatcher, or an njit wrapper of a plain function


_bindings = {}    # binding name -> _Binding
_names = {}       # id(object) -> binding name


# ---------------------------------------------------------------- public
def register_rule(func, partials, result="float", params=None):
    """Make ``func`` a primitive with the given partial derivatives; returns ``func``.

    ``partials`` holds one Python expression per parameter of ``func``, over
    the parameter names, ``out`` (the result), ``math``, ``np`` and functions
    of ``func``'s own module; ``None`` marks a parameter with a zero derivative
    (an integer count, a flag).  ``func`` is an ``@numba.njit`` function, a
    plain Python function (compiled with ``numba.njit`` when a derivative
    calls it) or a built-in such as ``math.sin``, whose built-in rule the new
    one replaces.  ``result`` is the type of the result: ``"float"`` (default),
    ``"int"``, ``"bool"`` or ``"join"`` (the wider of the argument types).
    ``params`` names the parameters where Python cannot tell them (built-ins,
    and what compiled code calls directly: a function address such as
    numba-stats' bindings of SciPy's special functions, a ``@numba.cfunc``, a
    ``@numba.vectorize`` ufunc).

    Registering the same function again replaces its rule; derivatives
    already built keep the rule they were built with.
    """
    kind = _kind(func)
    if kind is None:
        raise SrcadError(
            f"cannot register a rule for {func!r}: expected a @numba.njit function, a Python function, a "
            "built-in function, a function address (WrapperAddressProtocol), a @numba.cfunc or a @numba.vectorize "
            "ufunc")
    name = _describe(func)
    if result not in _RESULTS:
        raise SrcadError(f"rule for {name}: result must be one of {', '.join(map(repr, _RESULTS))}, got {result!r}")
    params = _parameters(func, kind, name) if params is None else _given_parameters(params, name)
    if kind == "compiled" and len(params) != _compiled_callable_arity(func):
        raise SrcadError(f"rule for {name}: it takes {_compiled_callable_arity(func)} argument(s), "
                         f"params names {len(params)}")
    if isinstance(partials, str) or partials is None:
        partials = (partials,)
    partials = tuple(partials)
    if len(partials) != len(params):
        raise SrcadError(
            f"rule for {name}: {len(partials)} partial(s) for {len(params)} parameter(s) "
            f"({', '.join(params)}); give one expression (or None) per parameter")
    for reserved in ("out", "math", "np"):
        if reserved in params:
            raise SrcadError(f"rule for {name}: a parameter named '{reserved}' would hide "
                             f"'{reserved}' in the partials; rename the parameter")
    namespace = _namespace(func)
    texts = tuple(None if p is None else _partial_text(p, i, params, namespace, name)
                  for i, p in enumerate(partials))
    binding = _bind(func, "_rule_", kind)
    objects = [func]
    if binding.target is not func:
        objects.append(binding.target)
    register(objects, binding.name, params, texts, result)
    return func


def rule(partials, result="float", params=None):
    """Decorator form of :func:`register_rule`; put it above ``@numba.njit``::

        @srcad.rule(partials=("math.cos(x)",))
        @numba.njit
        def my_sin(x):
            return math.sin(x)
    """
    def decorate(func):
        return register_rule(func, partials, result=result, params=params)

    return decorate


def bound(name):
    """The callable a generated module binds to ``name``; used by generated code."""
    binding = _bindings.get(name)
    if binding is None:
        raise SrcadError(
            f"'{name}' is a custom derivative rule that is not registered in this process; "
            "import the module that registers it before loading this derivative")
    return binding.target


def module_lines(functions):
    """(header lines, import lines) binding the custom functions that ``functions`` call.

    ``functions`` are the generated ``ast.FunctionDef`` nodes of one module.
    Empty lists when they call none, so other modules' text is unchanged.
    """
    used = sorted({node.id for fn in functions for node in ast.walk(fn)
                   if isinstance(node, ast.Name) and node.id in _bindings})
    if not used:
        return [], []
    header = ["Custom rules (name, fingerprint): "
              + ", ".join(f"{name} {fingerprint(_bindings[name].obj)}" for name in used) + "."]
    imports = ["from srcad.rules.custom import bound as _srcad_bound"]
    imports += [f"{name} = _srcad_bound({name!r})" for name in used]
    return header, imports


# ---------------------------------------------------------------- what may be registered
def _dispatcher_class():
    if "numba" not in sys.modules:
        return None  # nothing can be a dispatcher before Numba is imported
    from numba.core.dispatcher import Dispatcher

    return Dispatcher


def _kind(func):
    dispatcher = _dispatcher_class()
    if dispatcher is not None and isinstance(func, dispatcher):
        return "dispatcher"
    if isinstance(func, types.FunctionType):
        return "python"
    if isinstance(func, (types.BuiltinFunctionType, np.ufunc)):
        return "builtin"
    if _compiled_callable_arity(func) is not None:
        return "compiled"
    return None


def _compiled_callable_arity(func):
    """The number of arguments of a callable that compiled code calls directly, None for anything else:
    a function address (``WrapperAddressProtocol``, as libraries bind SciPy's special functions), a
    ``@numba.cfunc`` or a ``@numba.vectorize`` ufunc."""
    if "numba" not in sys.modules:
        return None
    from numba.core.ccallback import CFunc
    from numba.np.ufunc.ufunc_base import UfuncBase
    from numba.types import WrapperAddressProtocol

    if isinstance(func, WrapperAddressProtocol):
        return len(func.signature().args)
    if isinstance(func, CFunc):
        return len(func._sig.args)
    if isinstance(func, UfuncBase):
        return func.nin
    return None


def _describe(func):
    # a cfunc or vectorize object is described by the Python function it compiles
    func = getattr(func, "_pyfunc", None) or getattr(getattr(func, "_dispatcher", None), "py_func", None) or func
    module = getattr(func, "__module__", None) or "builtins"
    qualname = getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or type(func).__name__
    return f"{module}.{qualname}"


def _parameters(func, kind, name):
    if kind == "compiled":
        arity = _compiled_callable_arity(func)
        raise SrcadError(f"rule for {name}: Python cannot read the names of its {arity} parameter(s); pass "
                         f"params=(...) with {arity} name(s), the ones the partials use")
    plain = getattr(func, "py_func", func)
    try:
        signature = inspect.signature(plain)
    except (TypeError, ValueError):
        raise SrcadError(f"rule for {name}: cannot read its parameters; pass params=(...)") from None
    params = list(signature.parameters.values())
    if isinstance(func, np.ufunc):
        params = params[:func.nin]
    elif kind == "builtin":
        params = [p for p in params if p.default is inspect.Parameter.empty]
    for p in params:
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            raise SrcadError(f"rule for {name}: parameter '{p}' is not supported; "
                             "a rule takes plain positional parameters")
        if p.default is not inspect.Parameter.empty:
            raise SrcadError(f"rule for {name}: parameter '{p.name}' has a default value; "
                             "a rule needs every argument passed at the call")
    return tuple(p.name for p in params)


def _given_parameters(params, name):
    params = (params,) if isinstance(params, str) else tuple(params)
    for p in params:
        if not isinstance(p, str) or not p.isidentifier():
            raise SrcadError(f"rule for {name}: params must be identifiers, got {p!r}")
    if len(set(params)) != len(params):
        raise SrcadError(f"rule for {name}: params {params!r} repeat a name")
    return params


def _namespace(func):
    plain = getattr(func, "py_func", func)
    return getattr(plain, "__globals__", {})


# ---------------------------------------------------------------- partials
def _partial_text(partial, index, params, namespace, name):
    """The partial's text with the functions it calls renamed to their bindings."""
    where = f"rule for {name}: partial {index + 1} (d/d{params[index]})"
    if not isinstance(partial, str):
        raise SrcadError(f"{where} must be a string or None, got {partial!r}")
    try:
        tree = ast.parse(partial.strip(), mode="eval")
    except SyntaxError as error:
        raise SrcadError(f"{where}: {partial!r} is not a Python expression ({error.msg})") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise SrcadError(f"{where}: {partial!r} uses {type(node).__name__}, "
                             "not allowed in a partial derivative")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise SrcadError(f"{where}: {partial!r} holds the constant {node.value!r}; only numbers are allowed")
        if isinstance(node, ast.Call) and node.keywords:
            raise SrcadError(f"{where}: {partial!r} passes keyword arguments; pass them by position")
    allowed = set(params) | {"out"} | _BUILTINS
    renames = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in _MODULES:
            if not hasattr(_MODULES[node.value.id], node.attr):
                raise SrcadError(f"{where}: {partial!r} uses '{node.value.id}.{node.attr}', which does not exist")
        if not isinstance(node, ast.Name) or node.id in allowed or node.id in _MODULES:
            continue
        if node.id not in namespace:
            raise SrcadError(
                f"{where}: {partial!r} uses the unknown name '{node.id}'; a partial may use the parameters "
                f"({', '.join(params)}), out, math, np, {', '.join(sorted(_BUILTINS))} "
                f"and functions of module {namespace.get('__name__', '?')} defined before the rule is registered")
        value = namespace[node.id]
        kind = _kind(value)
        if kind is None:
            raise SrcadError(f"{where}: {partial!r} uses '{node.id}', a {type(value).__name__}; "
                             "only @numba.njit functions and plain Python functions can be called there")
        renames[node.id] = _bind(value, "_fn_", kind).name
    tree = _Rename(renames).visit(tree)
    return ast.unparse(tree.body)


class _Rename(ast.NodeTransformer):
    def __init__(self, renames):
        self.renames = renames

    def visit_Name(self, node):
        if node.id in self.renames:
            return ast.copy_location(ast.Name(self.renames[node.id], node.ctx), node)
        return node


# ---------------------------------------------------------------- bindings
def _bind(obj, prefix, kind):
    """The binding of ``obj``, made on first use; its name is stable from one process to the next."""
    name = _names.get(id(obj))
    if name is not None:
        return _bindings[name]
    base = prefix + (re.sub(r"[^0-9A-Za-z]+", "_", _describe(obj)).strip("_") or "function")
    name, count = base, 1
    while name in _bindings:          # another object with the same module and qualname
        count += 1
        name = f"{base}_{count}"
    target = obj
    if kind == "python":
        import numba

        target = numba.njit(obj)
    binding = _bindings[name] = _Binding(name, obj, target)
    _names[id(obj)] = name
    return binding


# ---------------------------------------------------------------- fingerprints
def fingerprint(obj):
    """A short hash of what Numba compiles when generated code calls ``obj``.

    It covers the function's source, its Numba options, the values of the
    closure cells and global numbers and arrays it reads (Numba freezes them)
    and, the same way, every function it calls by a global name.
    """
    digest = hashlib.sha256()
    _feed_function(digest, obj, set())
    return digest.hexdigest()[:12]


def _feed_function(digest, obj, seen):
    if id(obj) in seen:
        return
    seen.add(id(obj))
    digest.update(_describe(obj).encode())
    options = getattr(obj, "targetoptions", None)
    if options is not None:
        digest.update(repr(sorted(options.items())).encode())
    plain = getattr(obj, "py_func", obj) or obj
    if _compiled_callable_arity(obj) is not None:
        # an address or a compiled object changes from one process to the next: describe what it computes
        signature = obj.signature() if hasattr(obj, "signature") and callable(obj.signature) else ""
        digest.update(f"{type(obj).__qualname__}{signature}".encode())
        plain = getattr(obj, "_pyfunc", None) or getattr(getattr(obj, "_dispatcher", None), "py_func", None)
        if plain is None:
            return
    if not isinstance(plain, types.FunctionType):
        digest.update(repr(obj).encode())
        return
    try:
        digest.update(inspect.getsource(plain).encode())
    except (OSError, TypeError):
        digest.update(plain.__code__.co_code + repr(plain.__code__.co_consts).encode())
    for cell in plain.__closure__ or ():
        try:
            _feed_value(digest, cell.cell_contents, seen)
        except ValueError:  # an empty cell
            digest.update(b"<empty>")
    namespace = plain.__globals__
    for name in sorted(_global_names(plain.__code__)):
        if name in namespace:
            digest.update(name.encode())
            _feed_value(digest, namespace[name], seen)


def _feed_value(digest, value, seen):
    if _kind(value) is not None:
        _feed_function(digest, value, seen)
    elif isinstance(value, (bool, int, float, complex, str, bytes, np.number, np.bool_)):
        digest.update(repr(value).encode())
    elif isinstance(value, tuple):
        for item in value:
            _feed_value(digest, item, seen)
    elif isinstance(value, np.ndarray):
        digest.update(f"{value.dtype}{value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    else:
        digest.update(type(value).__qualname__.encode())


def _global_names(code):
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names
