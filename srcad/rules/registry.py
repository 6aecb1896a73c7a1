"""The rule table.

A rule describes one primitive by its partial derivatives, written as short
Python expressions over the primitive's parameter names and ``out`` (its
result).  The tangent of ``out = f(a, b)`` is ``da * a_dot + db * b_dot`` and
the adjoint is ``a_bar += da * out_bar; b_bar += db * out_bar``: both
transformers read the same entry, so a primitive is added in one place.
User-supplied rules (``srcad.rule``, see :mod:`srcad.rules.custom`) are
entries of the same table; registering an object again replaces its rule.
"""

import ast
from dataclasses import dataclass, field

# Result types a rule may declare.  "join" is the wider of the argument types
# (int + int is int, int + float is float).
# "count": an int whatever the arguments are (arrays included), as len() and the checkpoint controller
RESULT_TYPES = ("float", "int", "bool", "join", "div", "pow", "array", "array_op", "count")


class NoDerivative:
    """A partial that has no closed form: differentiating with respect to that argument is refused, naming
    ``reason`` (``gammainc``'s derivative in ``a``, say), instead of taken to be zero."""

    def __init__(self, reason):
        self.reason = reason

    def __repr__(self):
        return f"NoDerivative({self.reason!r})"


@dataclass(frozen=True)
class Rule:
    """Derivative rule of one primitive.

    ``partials`` holds one expression per parameter, or ``None`` where the
    derivative with respect to that parameter is zero everywhere it exists
    (``floor``) or the parameter is not differentiable (an integer count).
    """

    name: str
    params: tuple
    partials: tuple
    result: str = "float"
    parsed: tuple = field(default=(), compare=False, repr=False)

    def partial_tree(self, index):
        """The parsed partial derivative with respect to parameter ``index``."""
        return self.parsed[index]

    def refusal(self, index):
        """Why there is no derivative with respect to parameter ``index`` (a :class:`NoDerivative`), or None."""
        partial = self.partials[index]
        return partial.reason if isinstance(partial, NoDerivative) else None



_calls = {}       # canonical name -> Rule
_objects = {}     # id(python object) -> (object, canonical name)
_operators = {}   # ast operator class -> Rule


def _make_rule(name, params, partials, result):
    if result not in RESULT_TYPES:
        raise ValueError(f"unknown result type {result!r}")
    if len(params) != len(partials):
        raise ValueError(f"rule {name}: {len(params)} parameters but {len(partials)} partials")
    parsed = tuple(None if p is None or isinstance(p, NoDerivative) else dotted_calls(ast.parse(p, mode="eval").body)
                   for p in partials)
    return Rule(name=name, params=tuple(params), partials=tuple(partials), result=result, parsed=parsed)


def dotted_calls(tree):
    """``math.cos(x)`` with the callee as the one name ``math.cos``, as core form spells calls, so that a
    derivative built from partials can be read by the transforms again."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            parts, base = [], node.func
            while isinstance(base, ast.Attribute):
                parts.insert(0, base.attr)
                base = base.value
            if isinstance(base, ast.Name):
                node.func = ast.Name(".".join([base.id] + parts), ast.Load())
    return tree


def register(objects, name, params, partials, result="float"):
    """Register the derivative rule of a function.

    ``objects`` are the Python objects that denote the function in user code
    (``math.sin`` and ``numpy.sin`` share a rule), ``name`` is how generated
    code spells it.  Example::

        register([math.sinh], "math.sinh", ("x",), ("math.cosh(x)",))
    """
    rule = _make_rule(name, params, partials, result)
    _calls[name] = rule
    for obj in objects:
        _objects[id(obj)] = (obj, name)
    return rule


def register_operator(op_class, params, partials, result="join"):
    rule = _make_rule(op_class.__name__, params, partials, result)
    _operators[op_class] = rule
    return rule


_resolvers = []   # functions object -> canonical name or None, for objects not registered one by one


def rule_for_object(obj):
    """The canonical name of a registered function object, or None.

    A Numba dispatcher whose Python function is registered shares its rule, so
    ``@numba.njit`` may sit above or below ``@srcad.rule``.  Objects that stand
    for a registered function without being registered themselves (another
    library's binding of a SciPy special function) are found by the resolvers
    of :func:`add_resolver`.
    """
    for candidate in (obj, getattr(obj, "py_func", None)):
        entry = _objects.get(id(candidate))
        if entry is not None and entry[0] is candidate:
            return entry[1]
    for resolve in _resolvers:
        name = resolve(obj)
        if name is not None:
            return name
    return None


def add_resolver(resolve):
    """Let ``resolve(obj)`` name the rule of objects that are not registered one by one."""
    _resolvers.append(resolve)


def lookup_call(name):
    return _calls.get(name)


def lookup_operator(op):
    return _operators.get(type(op))
