"""Name resolution: what the global names of an expression denote.

:class:`Resolver` copies one expression of the user's and resolves it: names
of the ``math`` module, NumPy and builtins become the canonical spelling of
their rule (``math.sin``, ``min``), global numbers and tuples of numbers are
inlined, array methods become NumPy calls (``a.sum()`` -> ``np.sum(a)``),
elements of tuples are picked, and ``p is None`` of a parameter is decided.
Calls of the user's functions are inlined by the part it takes from
:class:`~.inline.InlinedCalls`.

:class:`Constants` names the global arrays a function reads; the generated
module defines them under those names, frozen as Numba freezes them.
"""

import ast
import copy
import numbers
import types

import numpy as np

from ..rules import lookup_array_operation, lookup_call, rule_for_object
from .anno import CAST, TYPE_OF
from .inline import LIBRARIES, InlinedCalls
from .lists import LISTS, ListDisplays
from .names import NameSource
from .refused import check_operator
from .specialize import is_none
from .syntax import at, python_number

_MODULE_NAMES = {"math": "math", "numpy": "np"}
_ARRAY_ATTRIBUTES = ("shape", "size", "ndim", "T")
_METHODS = {"copy": "np.copy", "sum": "np.sum", "mean": "np.mean", "prod": "np.prod", "max": "np.max",
            "min": "np.min", "dot": "np.dot", "reshape": "np.reshape", "ravel": "np.ravel", "flatten": "np.ravel",
            "cumsum": "np.cumsum", "var": "np.var", "std": "np.std"}
_DTYPES = ("float64", "float32", "int64", "int32")


class Constants:
    """The global arrays a function and the functions inlined into it read, by name."""

    def __init__(self, info):
        self.arrays = {}                # name in the generated module -> global array read
        self.sources = []               # (the user's array, its name)
        self.tuple_arrays = []          # (the user's tuple of numbers, the array read for it)
        local = {n.id for n in ast.walk(info.tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        self.names = NameSource(local | {a.arg for a in info.tree.args.args})

    def tuple_array(self, value):
        """One array for each global tuple of numbers, so that it gets one name."""
        for known, array in self.tuple_arrays:
            if known is value or (known == value and list(map(type, known)) == list(map(type, value))):
                return array
        array = np.array(value)
        self.tuple_arrays.append((value, array))
        return array

    def name_of(self, spelled, value):
        """The name under which the generated module holds global array ``value``."""
        for known, name in self.sources:
            if known is value:
                return name
        name = self.names.exact(spelled.replace(".", "_"))
        # Numba freezes a global array when it compiles; so does srcad, when it builds
        frozen = np.array(value, copy=True)
        frozen.setflags(write=False)
        self.arrays[name] = frozen
        self.sources.append((value, name))
        return name


class Resolver(InlinedCalls, ListDisplays, ast.NodeTransformer):
    """Resolves global names inside one expression."""

    def __init__(self, lowering, root):
        self.lowering = lowering
        self.root = root                  # the user's expression, kept for evaluation-order checks
        self.tree = copy.deepcopy(root)   # the copy that is resolved
        self.originals = {id(c): o for c, o in zip(ast.walk(self.tree), ast.walk(root))}
        self.results = {}                 # id of a user's call in ``root`` -> its inlined result expression

    def refuse(self, node, construct, message):
        self.lowering.refuse(node, construct, message)

    def global_value(self, node):
        namespace = self.lowering.info.namespace
        if node.id not in namespace:
            self.refuse(node, node.id, f"name '{node.id}' is not defined")
        return namespace[node.id]

    def visit_Name(self, node):
        alias = self.lowering.type_aliases.get(node.id)
        if alias is not None:
            return at(copy.deepcopy(alias), node)   # T = type(x): T is read as type(x)
        elements = self.lowering.tuples.get(node.id)
        if elements is not None:
            return at(ast.Tuple([ast.Name(e, ast.Load()) for e in elements], ast.Load()), node)
        if node.id in self.lowering.locals:
            self.lowering.read_names.add(node.id)
            return node
        value = self.global_value(node)
        return self.constant_or_callee(node, value, node.id)

    def module_of(self, node):
        """The module that a dotted name such as ``np.linalg`` denotes, or None."""
        if isinstance(node, ast.Name) and node.id not in self.lowering.locals:
            base = self.global_value(node)
        elif isinstance(node, ast.Attribute):
            outer = self.module_of(node.value)
            base = getattr(outer, node.attr, None) if outer is not None else None
        else:
            return None
        return base if isinstance(base, types.ModuleType) else None

    def visit_Attribute(self, node):
        if isinstance(node.value, (ast.Name, ast.Attribute)):
            base = self.module_of(node.value)
            if base is not None:
                if not hasattr(base, node.attr):
                    self.refuse(node, ast.unparse(node), f"module has no attribute '{node.attr}'")
                return self.constant_or_callee(node, getattr(base, node.attr), ast.unparse(node))
        if node.attr == "dtype" and isinstance(node.value, ast.Name):
            # the dtype of an array, known once the types are: a type marker, as type(x) is
            return at(ast.Call(ast.Name(TYPE_OF, ast.Load()), [self.visit(node.value)], []), node)
        if node.attr == "T":
            return at(ast.Call(ast.Name("np.transpose", ast.Load()), [self.visit(node.value)], []), node)
        if node.attr in _ARRAY_ATTRIBUTES and isinstance(node.value, ast.Name):
            node.value = self.visit(node.value)   # a global array becomes its constant
            return node
        self.refuse(node, ast.unparse(node), "attribute access is not supported")

    def constant_or_callee(self, node, value, spelled):
        if value is None:
            return at(ast.Constant(None), node)   # np.newaxis
        if isinstance(value, bool) or isinstance(value, numbers.Real) and not isinstance(value, type):
            return at(ast.Constant(python_number(value)), node)
        if isinstance(value, types.ModuleType):
            return at(ast.Name(_MODULE_NAMES.get(value.__name__, value.__name__), ast.Load()), node)
        if isinstance(value, type) and issubclass(value, np.number) and value.__name__ in _DTYPES:
            return at(ast.Name(f"np.{value.__name__}", ast.Load()), node)
        if is_number_tuple(value):
            # inlined like a global number; indexed by a variable, it is read as a constant array
            return at(ast.Tuple([ast.Constant(python_number(v)) for v in value], ast.Load()), node)
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in "fib" or value.dtype.itemsize > 8:
                self.refuse(node, spelled, f"global array '{spelled}' has dtype {value.dtype}; "
                            "srcad reads global arrays of floats, ints and bools")
            return at(ast.Name(self.lowering.context.constants.name_of(spelled, value), ast.Load()), node)
        if value is type:
            return at(ast.Name(TYPE_OF, ast.Load()), node)   # type(x): the casts pass decides it
        if value is range:
            return at(ast.Name("range", ast.Load()), node)
        if value is len:
            return at(ast.Name("len", ast.Load()), node)
        if value is sum:
            return at(ast.Name("sum", ast.Load()), node)   # sum(a): np.sum of a 1-D array, see visit_Call
        canonical = rule_for_object(value)
        if canonical is not None:
            return at(ast.Name(canonical, ast.Load()), node)
        if callable(value) and _draws_random_numbers(value):
            self.refuse(node, spelled, f"'{spelled}' draws random numbers inside the differentiated function; "
                        "draw them outside and pass them in as an argument (the derivative then holds them fixed)")
        if callable(value) and _is_library_object(value):
            self.refuse(node, spelled, f"'{spelled}' has no derivative rule in srcad; "
                        "register one with srcad.rule, or write the computation with supported operations")
        if callable(value):
            self.refuse(node, spelled,
                        f"call to '{spelled}', which has no derivative rule; "
                        "give it one with srcad.register_rule or the @srcad.rule decorator")
        self.refuse(node, spelled, f"global '{spelled}' of type {type(value).__name__} is not supported")

    def visit_Call(self, node):
        func = node.func
        if self.user_function(func) is not None:
            if any(self.is_list(a) for a in node.args) or any(self.is_list(k.value) for k in node.keywords):
                self.refuse(node, ast.unparse(func), "a list passed to a function of yours would arrive as an "
                            "array; pass np.array([...]) and treat it as one")
            return self.call(node)
        callee = self.lowering.global_object(func)
        if callee in (np.array, np.asarray) and len(node.args) == 1 and not node.keywords:
            arg = node.args[0]
            if isinstance(arg, (ast.List, ast.Tuple)) or isinstance(arg, LISTS):
                # np.array([a, b, c]): the list is already a fresh array
                return self.fresh_list(at(ast.List(list(arg.elts), ast.Load()), arg)
                                       if isinstance(arg, ast.Tuple) else arg)
            if isinstance(arg, ast.Name) and arg.id in self.lowering.locals:
                # of an array: np.array copies it, np.asarray is the array itself
                name = self.visit(arg)
                return name if callee is np.asarray else at(ast.Call(ast.Name("np.copy", ast.Load()), [name], []),
                                                            node)
        axis_at = None    # the position an axis= keyword takes among the arguments
        node = self.dtype_keyword(node)
        if self.lowering.global_object(func) is np.size and len(node.args) == 1 and not node.keywords:
            # np.size(a) is a.size
            size = self.visit(at(ast.Attribute(node.args[0], "size", ast.Load()), node))
            if not isinstance(size, ast.Attribute):
                self.refuse(node, "np.size", "np.size takes an array by name, as in np.size(a)")
            return size
        if node.keywords:
            axis = [k for k in node.keywords if k.arg == "axis"]
            if len(axis) != len(node.keywords) or len(axis) != 1:
                self.refuse(node, ast.unparse(node.func) + "(keyword=...)",
                            "keyword arguments are not supported (except axis= of reductions)")
            axis_at = len(node.args)
            node = at(ast.Call(func, node.args + [axis[0].value], []), node)
        if isinstance(func, ast.Attribute) and func.attr in _METHODS and not (
                isinstance(func.value, ast.Name) and func.value.id not in self.lowering.locals
                and not isinstance(self.lowering.info.namespace.get(func.value.id), np.ndarray)):
            # a.sum(), a.copy(), a.dot(b): the NumPy functions
            args = [self.visit(a) for a in [func.value] + node.args]
            if axis_at is not None:
                self.check_axis(_METHODS[func.attr], axis_at + 1, node)
            return at(ast.Call(ast.Name(_METHODS[func.attr], ast.Load()), args, []), node)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                and func.value.id in self.lowering.locals:
            self.refuse(node, f"{func.value.id}.{func.attr}()",
                        f"the method '{func.attr}' is not supported; the array methods srcad takes are "
                        f"{', '.join(sorted(_METHODS))}")
        node = self.generic_visit(node)
        func = node.func
        if _is_type_marker(func):
            # T(v), type(x)(v): v converted to the type of x, decided once the types are known
            if len(node.args) != 1 or node.keywords:
                self.refuse(node, ast.unparse(self.originals.get(id(node), node)),
                            "a type such as type(x) converts one value, as in type(x)(0.5)")
            return at(ast.Call(ast.Name(CAST, ast.Load()), [node.args[0], func.args[0]], []), node)
        if not isinstance(func, ast.Name):
            self.refuse(node, ast.unparse(func), "only calls of named functions are supported")
        if func.id in self.lowering.locals:
            self.refuse(node, func.id, "calling a local variable is not supported")
        if axis_at is not None:
            self.check_axis(func.id, axis_at, node)
        if func.id == "len" and len(node.args) == 1 and isinstance(node.args[0], ast.Tuple):
            return at(ast.Constant(len(node.args[0].elts)), node)
        if func.id == "sum":
            if len(node.args) != 1:
                self.refuse(node, "sum", "sum() takes one list, tuple or 1-D array here")
            if isinstance(node.args[0], ast.Tuple) and node.args[0].elts:
                # sum(p) of a tuple p: its elements added, from 0 as Python starts
                total = ast.Constant(0)
                for element in node.args[0].elts:
                    total = at(ast.BinOp(total, ast.Add(), element), node)
                return total
            return self.array_reduction("sum", node)
        if func.id in ("min", "max"):
            if len(node.args) == 1 and isinstance(node.args[0], ast.Tuple) and node.args[0].elts:
                node = at(ast.Call(func, list(node.args[0].elts), []), node)   # max(p) of a tuple p
            elif len(node.args) == 1:
                return self.array_reduction(func.id, node)
            folded = node.args[0]
            for arg in node.args[1:]:
                folded = at(ast.Call(ast.Name(func.id, ast.Load()), [folded, arg], []), node)
            return folded
        if func.id == "math.log" and len(node.args) == 2:
            num = at(ast.Call(ast.Name("math.log", ast.Load()), [node.args[0]], []), node)
            den = at(ast.Call(ast.Name("math.log", ast.Load()), [node.args[1]], []), node)
            return at(ast.BinOp(num, ast.Div(), den), node)
        return node

    def dtype_keyword(self, node):
        """``np.zeros(n, dtype=t)`` as ``np.zeros(n, t)``: the keyword where the rule has a ``dtype`` parameter."""
        dtype = [k for k in node.keywords if k.arg == "dtype"]
        if not dtype:
            return node
        canonical = rule_for_object(self.lowering.global_object(node.func))
        rule = lookup_call(canonical) if canonical is not None else None
        if rule is None or "dtype" not in rule.params or rule.params.index("dtype") != len(node.args):
            self.refuse(node, ast.unparse(node.func) + "(dtype=...)",
                        "dtype= is supported on np.zeros, np.ones, np.empty and np.full, after all the "
                        "arguments before it")
        keywords = [k for k in node.keywords if k.arg != "dtype"]
        return at(ast.Call(node.func, node.args + [dtype[0].value], keywords), node)

    def array_reduction(self, name, node):
        """``max(a)``, ``min(a)``, ``sum(a)`` of a 1-D array (or list): ``np.max(a)``, ..., once an assertion says
        it is 1-D (Python's max of a 2-D array compares rows and fails, and its sum adds rows, so srcad never
        gives a number there)."""
        array = node.args[0]
        if not isinstance(array, ast.Name):
            self.refuse(node, name, f"{name}() of one value takes a 1-D array or a list by name; "
                        f"pass several values, or name the array first")
        if array.id not in self.lowering.vectors or array.id in self.lowering.info.params:
            check = ast.Compare(ast.Attribute(copy.deepcopy(array), "ndim", ast.Load()), [ast.Eq()],
                                [ast.Constant(1)])
            message = ast.Constant(f"{name}() of an array takes a 1-D array")
            self.lowering.hoisted.append(at(ast.Assert(check, message), node))
        return at(ast.Call(ast.Name(f"np.{name}", ast.Load()), [array], []), node)

    def check_axis(self, name, position, node):
        """Refuse ``axis=`` unless it is the parameter at ``position`` of array operation ``name``."""
        operation = lookup_array_operation(name)
        if operation is None or operation.axis != position:
            self.refuse(node, f"{name}(axis=...)", f"axis= of {name} is not supported here; "
                        "pass the arguments before it, or compute along the axis with a loop")

    def visit_BinOp(self, node):
        check_operator(self.lowering, node.op, node)
        self.refuse_list_operands(node, [node.left, node.right])
        node = self.generic_visit(node)
        if isinstance(node.op, ast.MatMult):
            return at(ast.Call(ast.Name("np.dot", ast.Load()), [node.left, node.right], []), node)
        return node

    def visit_Subscript(self, node):
        original = self.originals.get(id(node))
        node = self.generic_visit(node)
        if isinstance(node.value, ast.Tuple):
            if not _is_constant_int(node.slice):
                if isinstance(getattr(original, "value", None), ast.Name):
                    value = self.lowering.global_object(original.value)
                    if is_number_tuple(value):
                        return self.global_tuple_element(node, original.value.id, value)
                value = _literal_numbers(node.value)
                if value is not None:
                    # a tuple of numbers written out, indexed by a variable, reads like a global one
                    return self.global_tuple_element(node, "_numbers", value, "tuple")
            return self.tuple_element(node)
        return node

    def global_tuple_element(self, node, spelled, value, described=None):
        if len({type(python_number(v)) for v in value}) != 1:
            what = described or f"global tuple '{spelled}'"
            self.refuse(node, ast.unparse(self.originals.get(id(node), node)) if described else spelled,
                        f"{what} mixes numbers of different types; write them all as floats to index it by a variable")
        constants = self.lowering.context.constants
        name = constants.name_of(spelled, constants.tuple_array(value))
        return at(ast.Subscript(ast.Name(name, ast.Load()), node.slice, ast.Load()), node)

    def tuple_element(self, node):
        index = node.slice
        size = len(node.value.elts)
        if not _is_constant_int(index):
            index = None
        elif isinstance(index, ast.UnaryOp):
            index = ast.Constant(-index.operand.value)
        if index is None or not -size <= index.value < size:
            self.refuse(node, ast.unparse(self.originals.get(id(node), node)),
                        f"index a tuple of {size} values with a constant integer, as in p[0]")
        return node.value.elts[index.value]

    def visit_UnaryOp(self, node):
        self.refuse_list_operands(node, [node.operand])
        return self.generic_visit(node)

    def visit_Compare(self, node):
        self.refuse_list_operands(node, [node.left] + node.comparators)
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.Is, ast.IsNot)):
            sides = [node.left, node.comparators[0]]
            names = [s for s in sides if isinstance(s, ast.Name) and s.id in self.lowering.info.params]
            if names and any(isinstance(s, ast.Constant) and s.value is None for s in sides):
                return at(ast.Constant(is_none(self.lowering, names[0]) == isinstance(node.ops[0], ast.Is)), node)
        return self.generic_visit(node)


def _is_type_marker(node):
    """Is ``node`` the core form of ``type(x)`` (``T`` of ``T = type(x)`` is read as that)?"""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == TYPE_OF \
        and len(node.args) == 1 and not node.keywords


def is_number_tuple(value):
    return isinstance(value, tuple) and bool(value) and all(
        isinstance(v, numbers.Real) and not isinstance(v, type) for v in value)


def _is_library_object(value):
    """A function of NumPy, math or another library (not one of the user's)."""
    if isinstance(value, np.ufunc):
        return True
    module = getattr(value, "__module__", None) or getattr(type(value), "__module__", "")
    return module.split(".")[0] in LIBRARIES


def _literal_numbers(node):
    """The numbers of tuple display ``node`` when it holds only number literals, else None."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError):
        return None
    return value if is_number_tuple(value) else None


def _is_constant_int(node):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) is int


def _draws_random_numbers(value):
    """Is ``value`` a random draw of NumPy or of Python's ``random`` (a function or a generator's method)?"""
    module = getattr(value, "__module__", None) or getattr(type(value), "__module__", None) or ""
    owner = getattr(value, "__self__", None)
    return module == "random" or module.startswith("numpy.random") \
        or type(owner).__module__.startswith(("numpy.random", "random"))
