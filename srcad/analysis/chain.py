"""Recognizing a function that is a chain of the user's own functions.

A chain is a function whose body only passes one argument through calls of
the user's functions, one after the other::

    def model(x, W1, W2):
        return f3(f2(f1(x, W1), W2))

    def model(x, W1, W2):          # the same chain, one layer a line
        h1 = f1(x, W1)
        h2 = f2(h1, W2)
        return f3(h2)

Each layer takes the previous layer's result as exactly one of its positional
arguments; its other arguments (weights, sizes) may read the function's other
parameters and globals but neither the chained argument nor any intermediate
result.  Anything else (a loop, a second use of an intermediate, arithmetic on
one, a layer that writes into its arguments) is not a chain, and the function
is then differentiated as a whole.

The analysis only reads the syntax tree; the values (and so the widths of the
layers) are known when the Jacobian is called.
"""

import ast
import inspect
import textwrap
from dataclasses import dataclass

from ..rules import rule_for_object

_LIBRARIES = ("numpy", "scipy", "numba", "math", "builtins", "cmath", "srcad")
# Methods of an array that return a view of it.
_VIEW_METHODS = frozenset({"reshape", "ravel", "transpose", "view", "squeeze", "swapaxes"})
# Methods of an array that leave it as it was.
_READING_METHODS = frozenset({"copy", "sum", "prod", "dot", "reshape", "ravel", "flatten", "transpose", "astype",
                              "max", "min", "mean", "std", "var", "any", "all", "argmax", "argmin", "cumsum",
                              "item", "conj"})


@dataclass(frozen=True)
class Layer:
    """One call of the chain: ``callee(*arguments)`` with the chained value at ``position``.

    ``arguments`` holds the syntax trees of the call's positional arguments
    (None at ``position``) and ``keywords`` its ``(name, tree)`` keyword
    arguments; both are evaluated among the function's parameters.
    """

    callee: object
    spelled: str
    position: int
    arguments: tuple
    keywords: tuple
    lineno: int

    @property
    def name(self):
        return getattr(self.callee, "__name__", self.spelled)


@dataclass(frozen=True)
class Chain:
    """A function recognized as ``layers[-1](...(layers[0](input)))``."""

    input: str
    input_index: int
    layers: tuple


class _NotAChain(Exception):
    pass


def find_chain(info, wrt):
    """The :class:`Chain` that ``info`` (a parsed function) is with respect to parameter ``wrt``, or None.

    For ``def model(x, W): return g(f(x, W))`` it is the chain of ``f`` then ``g``
    on ``x`` (``wrt=0``) and also on ``W`` (``wrt=1``); for ``return g(W, f(x))``
    and ``wrt=1`` it is None (``W`` goes through one layer only).
    """
    if not isinstance(wrt, int) or not 0 <= wrt < len(info.params):
        return None
    try:
        layers = _Recognizer(info, info.params[wrt]).layers()
    except _NotAChain:
        return None
    if len(layers) < 2:
        return None
    return Chain(input=info.params[wrt], input_index=wrt, layers=tuple(layers))


class _Recognizer:
    """Reads the body statement by statement, following the chained value."""

    def __init__(self, info, input_name):
        self.info = info
        self.current = input_name
        self.parameters = set(info.params)
        self.tree = info.tree
        # names the layers' other arguments may not read: the input and every assigned name
        self.chained_names = {input_name} | {
            target.id for node in ast.walk(self.tree) if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)}

    def layers(self):
        args = self.tree.args
        if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
            raise _NotAChain
        body = list(self.tree.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            body = body[1:]                       # the docstring
        if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
            raise _NotAChain
        layers = []
        for statement in body[:-1]:
            if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                    and isinstance(statement.targets[0], ast.Name)):
                raise _NotAChain
            target = statement.targets[0].id
            if target in self.parameters and target != self.current:
                raise _NotAChain                  # would hide an argument the layers may read
            found = self.unnest(statement.value)
            if not found:
                raise _NotAChain                  # an alias of the chained value
            layers += found
            self.current = target
        layers += self.unnest(body[-1].value)
        return layers

    def unnest(self, node):
        """The layers of ``node``, innermost first: a chain of calls around the current chained value."""
        if isinstance(node, ast.Name) and node.id == self.current:
            return []
        if not isinstance(node, ast.Call):
            raise _NotAChain
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            raise _NotAChain
        if self.reads_chained(node.func) or any(self.reads_chained(k.value) for k in node.keywords):
            raise _NotAChain
        chained = [i for i, a in enumerate(node.args) if self.reads_chained(a)]
        if len(chained) != 1:
            raise _NotAChain
        callee = self.user_function(node.func)
        position = _bound_position(callee, len(node.args), [k.arg for k in node.keywords], chained[0])
        inner = self.unnest(node.args[chained[0]])
        arguments = tuple(None if i == chained[0] else a for i, a in enumerate(node.args))
        keywords = tuple((k.arg, k.value) for k in node.keywords)
        return inner + [Layer(callee, ast.unparse(node.func), position, arguments, keywords, node.lineno)]

    def reads_chained(self, node):
        return any(isinstance(n, ast.Name) and n.id in self.chained_names for n in ast.walk(node))

    def user_function(self, node):
        """The plain Python function ``node`` names, if it is one of the user's, else not a chain."""
        value = _resolve(node, self.info.namespace)
        if value is None or getattr(value, "__srcad__", None) is not None or rule_for_object(value) is not None:
            raise _NotAChain
        plain = getattr(value, "py_func", value)
        if not inspect.isfunction(plain) or (plain.__module__ or "").split(".")[0] in _LIBRARIES:
            raise _NotAChain
        if _may_write_arguments(plain, set()):
            raise _NotAChain
        return plain


def _resolve(node, namespace):
    """The object a name or a dotted name refers to in ``namespace``, or None."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, namespace)
        return getattr(owner, node.attr, None) if owner is not None else None
    return None


def _bound_position(callee, positional, keywords, index):
    """The parameter index of positional argument ``index`` in a call of ``callee`` (checked to bind)."""
    try:
        signature = inspect.signature(callee)
        signature.bind(*range(positional), **{k: None for k in keywords})
    except (TypeError, ValueError):
        raise _NotAChain from None
    kinds = [p.kind for p in signature.parameters.values()]
    if any(k not in (inspect.Parameter.POSITIONAL_OR_KEYWORD,) for k in kinds):
        raise _NotAChain
    return index


def _may_write_arguments(func, seen):
    """Could ``func`` change an array it is passed?  Read conservatively from its syntax tree:
    a store into ``p[...]`` or ``p.attr``, an augmented assignment to a parameter, an ``out=``
    keyword, a method call on a parameter that is not known to read, or a parameter passed to
    a user function that may write its own.
    """
    if func in seen:
        return False
    seen.add(func)
    try:
        tree = ast.parse(_dedented_source(func)).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):
        return True
    if not isinstance(tree, ast.FunctionDef):
        return True
    params = {a.arg for a in tree.args.args}
    namespace = dict(func.__globals__)

    def root(node):
        while isinstance(node, (ast.Subscript, ast.Attribute)):
            node = node.value
        return node.id if isinstance(node, ast.Name) else None

    def aliased(value):
        """Does ``value`` name (a part or a view of) a parameter?"""
        if isinstance(value, ast.Call):
            if not (isinstance(value.func, ast.Attribute) and value.func.attr in _VIEW_METHODS):
                return False                          # a new array (p.copy(), np.dot(p, q), ...)
            value = value.func.value                  # p.reshape(...) is p seen another way
        return root(value) in params

    grown = True
    while grown:                                      # names bound to a parameter or a view of one
        grown = False
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and aliased(node.value):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id not in params:
                        params.add(target.id)
                        grown = True

    for node in ast.walk(tree):
        if isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, ast.Store) \
                and root(node) in params:
            return True
        if isinstance(node, ast.AugAssign) and root(node.target) in params and not isinstance(node.target, ast.Name):
            return True
        if isinstance(node, ast.Call):
            if any(k.arg == "out" for k in node.keywords):
                return True
            if isinstance(node.func, ast.Attribute) and root(node.func.value) in params \
                    and node.func.attr not in _READING_METHODS:
                return True
            passed = [a for a in node.args if isinstance(a, ast.Name) and a.id in params]
            if passed:
                callee = _resolve(node.func, namespace)
                plain = getattr(callee, "py_func", callee)
                if inspect.isfunction(plain) and (plain.__module__ or "").split(".")[0] not in _LIBRARIES:
                    if _may_write_arguments(plain, seen):
                        return True
    return False


def _dedented_source(func):
    return textwrap.dedent(inspect.getsource(func))
