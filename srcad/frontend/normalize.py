"""Lowering a parsed function to srcad's core form.

The core form is ordinary Python that every later stage can rely on:

* names of the ``math`` module, NumPy and builtins resolved to the canonical
  spelling of their rule (``math.sin``, ``min``), global numbers inlined;
* only simple assignments ``name = expression`` (no tuples, no augmented
  assignment), ``if``, ``for name in range(...)``, ``while``;
* a single ``return`` as the last statement; ``break``, ``continue`` and early
  ``return`` become flags that guard the statements after them, and a loop is
  left only by an exit test ``if flag: break`` at the end of its body.

Everything outside the accepted language is refused here with the file, the
line and the construct named.
"""

import ast
import copy
import inspect
import numbers
import types

import numpy as np

from ..errors import UnsupportedError
from ..rules import lookup_array_operation, rule_for_object
from .names import NameSource, user_names
from .source import SourceMap

_MODULE_NAMES = {"math": "math", "numpy": "np"}

_REFUSED = {
    ast.Yield: ("yield", "generators cannot be differentiated"),
    ast.YieldFrom: ("yield from", "generators cannot be differentiated"),
    ast.Await: ("await", "coroutines cannot be differentiated"),
    ast.Try: ("try", "exception handling cannot be differentiated"),
    ast.With: ("with", "context managers are not supported"),
    ast.AsyncWith: ("async with", "context managers are not supported"),
    ast.AsyncFor: ("async for", "coroutines cannot be differentiated"),
    ast.Global: ("global", "assigning a global variable is not supported"),
    ast.Nonlocal: ("nonlocal", "assigning an enclosing variable is not supported"),
    ast.Lambda: ("lambda", "functions defined inside the differentiated function are not supported"),
    ast.FunctionDef: ("def", "functions defined inside the differentiated function are not supported"),
    ast.AsyncFunctionDef: ("async def", "coroutines cannot be differentiated"),
    ast.ClassDef: ("class", "classes are not supported"),
    ast.ListComp: ("list comprehension", "comprehensions are not supported"),
    ast.SetComp: ("set comprehension", "comprehensions are not supported"),
    ast.DictComp: ("dict comprehension", "comprehensions are not supported"),
    ast.GeneratorExp: ("generator expression", "generators cannot be differentiated"),
    ast.Starred: ("starred expression", "starred unpacking is not supported"),
    ast.Delete: ("del", "deleting variables is not supported"),
    ast.Raise: ("raise", "raising exceptions is not supported"),
    ast.Import: ("import", "imports inside the differentiated function are not supported"),
    ast.ImportFrom: ("import", "imports inside the differentiated function are not supported"),
    ast.List: ("list", "lists are not supported"),
    ast.Dict: ("dict", "dicts are not supported"),
    ast.Set: ("set", "sets are not supported"),
    ast.JoinedStr: ("f-string", "strings are not supported"),
    ast.NamedExpr: ("walrus operator", "assignment expressions are not supported"),
    ast.Match: ("match", "match statements are not supported"),
    ast.BitAnd: ("&", "bitwise operators are not supported"),
    ast.BitOr: ("|", "bitwise operators are not supported"),
    ast.BitXor: ("^", "bitwise operators are not supported"),
    ast.LShift: ("<<", "bitwise operators are not supported"),
    ast.RShift: (">>", "bitwise operators are not supported"),
    ast.Invert: ("~", "bitwise operators are not supported"),
}

_ARRAY_ATTRIBUTES = ("shape", "size", "ndim", "T")
_METHODS = {"copy": "np.copy", "sum": "np.sum", "mean": "np.mean", "prod": "np.prod", "max": "np.max",
            "min": "np.min", "dot": "np.dot", "reshape": "np.reshape", "ravel": "np.ravel", "flatten": "np.ravel",
            "cumsum": "np.cumsum", "var": "np.var", "std": "np.std"}
_LIBRARIES = ("numpy", "scipy", "numba", "math", "builtins", "cmath")
_DTYPES = ("float64", "float32", "int64", "int32")


class _Context:
    """State shared by a function and the functions inlined into it."""

    def __init__(self, info):
        self.source_map = SourceMap(info)
        self.inlining = [info.func]     # functions being lowered, outermost first


class _Lowering:
    def __init__(self, info, context, inlined=False):
        self.info = info
        self.context = context
        self.inlined = inlined
        self.hoisted = []      # statements computing inlined calls of the statement being lowered
        self.result_arity = None
        self.return_arities = set()   # tuple lengths of the returns seen (None: a single value)
        self.names = NameSource(user_names(info.tree))
        self.locals = set(info.params)
        for node in ast.walk(info.tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.locals.add(node.id)
        self.loop_stack = []
        self.used_return_flag = False
        self.result_name = self.names.exact("_result")
        self.return_flag = self.names.exact("_returned")

    # errors -------------------------------------------------------------
    def refuse(self, node, construct, message):
        raise UnsupportedError(message, construct=construct, **self.info.where(node))

    # checking and name resolution ---------------------------------------
    def check(self, tree):
        for node in ast.walk(tree):
            entry = _REFUSED.get(type(node))
            if entry is not None and node is not tree:
                self.refuse(node, *entry)
        args = tree.args
        if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
            self.refuse(tree, "*args", "only plain positional parameters are supported")

    def resolve(self, node):
        """A copy of expression ``node`` with global names resolved."""
        return _Resolver(self).visit(copy.deepcopy(node))

    # statements ---------------------------------------------------------
    def lower_function(self):
        tree = self.info.tree
        self.check(tree)
        body = self.desugar_block(tree.body)
        if not self.ends_with_return(tree.body):
            self.refuse(tree, "missing return", "the function must end with a 'return' of its value")
        body, _ = self.lower_jumps(body, top=True)
        if self.used_return_flag:
            init = ast.Assign([ast.Name(self.return_flag, ast.Store())], ast.Constant(False))
            body.insert(0, _at(init, tree.body[0]))
        ret = ast.Return(self.result_expr())
        body.append(_at(ret, _last_line_node(tree)))
        new = ast.FunctionDef(
            name=tree.name, args=copy.deepcopy(tree.args), body=body, decorator_list=[],
            returns=None, type_comment=None, type_params=[],
        )
        return _at(new, tree)

    def ends_with_return(self, block):
        if not block:
            return False
        last = block[-1]
        if isinstance(last, ast.Return):
            return True
        if isinstance(last, ast.If):
            return self.ends_with_return(last.body) and self.ends_with_return(last.orelse)
        return False

    def result_expr(self):
        if self.result_arity is None:
            return ast.Name(self.result_name, ast.Load())
        return ast.Tuple([ast.Name(n, ast.Load()) for n in self.result_names()], ast.Load())

    def result_names(self):
        return [f"{self.result_name}{k}" for k in range(self.result_arity)]

    def desugar_block(self, block):
        out = []
        for stmt in block:
            outer, self.hoisted = self.hoisted, []
            lowered = self.desugar(stmt)
            out.extend(self.hoisted)
            out.extend(lowered)
            self.hoisted = outer
        return out

    # calls to the user's functions are inlined ----------------------------
    def inline(self, callee, args, node):
        """Statements computing ``callee(*args)`` go to ``self.hoisted``; returns the result expression."""
        from .source import read_function

        stack = self.context.inlining
        if callee in stack:
            self.refuse(node, callee.__name__, "recursive calls are not supported")
        info = read_function(callee)
        if len(args) != len(info.params):
            self.refuse(node, info.name, f"{info.name}() takes {len(info.params)} arguments, got {len(args)}")
        stack.append(callee)
        try:
            inner = _Lowering(info, self.context, inlined=True)
            lowered = inner.lower_function()
        finally:
            stack.pop()
        offset = self.context.source_map.add(info)
        prefix = self.names.fresh(f"_{info.name}")
        stored = {n.id for n in ast.walk(lowered) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        renames = {name: f"{prefix}_{name.lstrip('_')}" for name in sorted(stored | set(info.params))}
        before = []
        for param, arg in zip(info.params, args):
            if isinstance(arg, ast.Name) and param not in stored:
                renames[param] = arg.id   # the callee only reads it: use the caller's variable
            else:
                before.append(_at(ast.Assign([ast.Name(renames[param], ast.Store())], arg), node))
        body = lowered.body[:-1]
        result = lowered.body[-1].value
        wrapper = ast.Module(body + [ast.Expr(result)], [])
        _Rename(renames).visit(wrapper)
        for child in ast.walk(wrapper):
            if getattr(child, "lineno", None) is not None and not getattr(child, "srcad_shifted", False):
                child.lineno += offset
                if getattr(child, "end_lineno", None) is not None:
                    child.end_lineno += offset
                child.srcad_shifted = True
        self.names.taken |= set(renames.values())
        self.locals |= set(renames.values())
        self.hoisted.extend(before + body)
        return wrapper.body[-1].value

    def desugar(self, stmt):
        if isinstance(stmt, ast.Assign):
            value = self.resolve(stmt.value)
            if len(stmt.targets) == 1:
                return self.assign(stmt.targets[0], value, stmt)
            first = stmt.targets[-1]
            out = self.assign(first, value, stmt)
            for target in stmt.targets[:-1]:
                out += self.assign(target, ast.Name(first.id, ast.Load()) if isinstance(first, ast.Name)
                                   else self.refuse(stmt, "chained assignment", "use separate assignments"), stmt)
            return out
        if isinstance(stmt, ast.AnnAssign):
            if stmt.value is None:
                return []
            return self.assign(stmt.target, self.resolve(stmt.value), stmt)
        if isinstance(stmt, ast.AugAssign):
            _check_operator(self, stmt.op, stmt)
            if isinstance(stmt.target, ast.Name):
                current = ast.Name(stmt.target.id, ast.Load())
            elif isinstance(stmt.target, ast.Subscript):
                current = self.resolve(ast.Subscript(stmt.target.value, stmt.target.slice, ast.Load()))
            else:
                self.refuse(stmt, type(stmt.target).__name__, "unsupported augmented assignment target")
            value = ast.BinOp(current, stmt.op, self.resolve(stmt.value))
            return self.assign(stmt.target, _at(value, stmt), stmt)
        if isinstance(stmt, ast.Expr):
            if isinstance(stmt.value, ast.Constant):
                return []  # docstring or stray literal
            self.refuse(stmt, "expression statement", "a call whose result is unused has no effect srcad can differentiate")
        if isinstance(stmt, ast.Pass):
            return []
        if isinstance(stmt, ast.Assert):
            return [_at(ast.Assert(self.resolve(stmt.test), None), stmt)]
        if isinstance(stmt, ast.If):
            node = ast.If(self.resolve(stmt.test), self.desugar_block(stmt.body), self.desugar_block(stmt.orelse))
            return [_at(node, stmt)]
        if isinstance(stmt, ast.While):
            if stmt.orelse:
                self.refuse(stmt, "while/else", "an 'else' clause on a loop is not supported")
            outer, self.hoisted = self.hoisted, []
            test = self.resolve(stmt.test)
            computed, self.hoisted = self.hoisted, outer
            self.loop_stack.append(stmt)
            body = self.desugar_block(stmt.body)
            self.loop_stack.pop()
            if computed:
                # the test calls a function of the user's: evaluate it at the top of every iteration
                leave = _at(ast.If(_at(ast.UnaryOp(ast.Not(), test), stmt), [_at(ast.Break(), stmt)], []), stmt)
                body = computed + [leave] + body
                test = _at(ast.Constant(True), stmt)
            return [_at(ast.While(test, body, []), stmt)]
        if isinstance(stmt, ast.For):
            return [self.desugar_for(stmt)]
        if isinstance(stmt, ast.Return):
            if stmt.value is None:
                self.refuse(stmt, "return", "the function must return a value")
            value = self.resolve(stmt.value)   # a call of a tuple-returning function gives its tuple
            arity = len(value.elts) if isinstance(value, ast.Tuple) else None
            self.return_arities.add(arity)
            if len(self.return_arities) > 1:
                self.refuse(stmt, "tuple return" if arity else "return",
                            "every return must give a tuple of the same length, or every one a single value")
            self.result_arity = arity
            return [_at(ast.Return(value), stmt)]
        if isinstance(stmt, (ast.Break, ast.Continue)):
            if not self.loop_stack:
                self.refuse(stmt, type(stmt).__name__.lower(), "outside a loop")
            return [stmt]
        self.refuse(stmt, type(stmt).__name__, "this statement is not supported")

    def desugar_for(self, stmt):
        if stmt.orelse:
            self.refuse(stmt, "for/else", "an 'else' clause on a loop is not supported")
        it, target, prologue = self.iteration(stmt)
        stmt = _at(ast.For(target, it, prologue + stmt.body, [], None), stmt)
        if it.keywords or not 1 <= len(it.args) <= 3:
            self.refuse(stmt, "range", "range takes one to three positional arguments")
        self.loop_stack.append(stmt)
        body = self.desugar_block(stmt.body)
        self.loop_stack.pop()
        index = stmt.target.id
        if any(isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id == index
               for node in ast.walk(ast.Module(stmt.body, []))):
            # The body reassigns the loop variable: count with a fresh one and copy it
            # in at the top of each iteration, as Python does.
            counter = self.names.fresh(f"_{index}")
            body.insert(0, _at(ast.Assign([ast.Name(index, ast.Store())], ast.Name(counter, ast.Load())), stmt))
            index = counter
        node = ast.For(ast.Name(index, ast.Store()), it, body, [], None)
        return _at(node, stmt)

    def iteration(self, stmt):
        """(range call, loop variable, statements that bind the user's names) for any supported ``for``."""
        it = stmt.iter
        kind = None
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id not in self.locals:
            callee = self.info.namespace.get(it.func.id)
            kind = {range: "range", enumerate: "enumerate", zip: "zip"}.get(callee)
        if kind == "range":
            if not isinstance(stmt.target, ast.Name):
                self.refuse(stmt, "for with tuple target", "a loop over range() takes a single variable")
            return self.resolve(it), stmt.target, []
        if kind is None and isinstance(it, ast.Name) and it.id in self.locals:
            kind, sequences, targets = "array", [it], [stmt.target]
        elif kind == "enumerate" and len(it.args) == 1 and isinstance(it.args[0], ast.Name) \
                and isinstance(stmt.target, ast.Tuple) and len(stmt.target.elts) == 2:
            sequences, targets = [it.args[0]], [stmt.target.elts[1]]
        elif kind == "zip" and it.args and all(isinstance(a, ast.Name) for a in it.args) \
                and isinstance(stmt.target, ast.Tuple) and len(stmt.target.elts) == len(it.args):
            sequences, targets = list(it.args), list(stmt.target.elts)
        else:
            self.refuse(stmt, "for over " + ast.unparse(it),
                        "loop over range(), an array, enumerate(array) or zip(arrays...) by name")
        if kind == "enumerate":
            index = stmt.target.elts[0]
            if not isinstance(index, ast.Name):
                self.refuse(stmt, "enumerate", "the index of enumerate() must be a plain name")
        else:
            index = ast.Name(self.names.fresh("_i"), ast.Store())
            self.locals.add(index.id)
        if not all(isinstance(t, ast.Name) for t in targets):
            self.refuse(stmt, "for target", "loop variables must be plain names")
        lengths = [_at(ast.Call(ast.Name("len", ast.Load()), [ast.Name(a.id, ast.Load())], []), stmt)
                   for a in sequences]
        stop = lengths[0]
        for length in lengths[1:]:
            stop = _at(ast.Call(ast.Name("min", ast.Load()), [stop, length], []), stmt)
        prologue = [
            _at(ast.Assign([ast.Name(t.id, ast.Store())],
                           ast.Subscript(ast.Name(a.id, ast.Load()), ast.Name(index.id, ast.Load()), ast.Load())), stmt)
            for t, a in zip(targets, sequences)
        ]
        range_call = _at(ast.Call(ast.Name("range", ast.Load()), [stop], []), stmt)
        return range_call, ast.Name(index.id, ast.Store()), prologue

    def assign(self, target, value, stmt):
        if isinstance(target, ast.Name):
            return [_at(ast.Assign([ast.Name(target.id, ast.Store())], value), stmt)]
        if isinstance(target, ast.Tuple):
            if not isinstance(value, ast.Tuple) or len(value.elts) != len(target.elts):
                self.refuse(stmt, "tuple unpacking",
                            "unpack only a tuple written out on the right, e.g. 'a, b = b, a * x'")
            staged = []
            out = []
            for elt in value.elts:
                temp = self.names.fresh("_u")
                out.append(_at(ast.Assign([ast.Name(temp, ast.Store())], elt), stmt))
                staged.append(temp)
            for sub, temp in zip(target.elts, staged):
                out += self.assign(sub, ast.Name(temp, ast.Load()), stmt)
            return out
        if isinstance(target, ast.Subscript):
            if not isinstance(target.value, ast.Name) or target.value.id not in self.locals:
                self.refuse(stmt, "element assignment", "write elements of a local array or parameter by name")
            element = self.resolve(ast.Subscript(target.value, target.slice, ast.Load()))
            element.ctx = ast.Store()
            return [_at(ast.Assign([element], value), stmt)]
        self.refuse(stmt, type(target).__name__, "unsupported assignment target")

    # jumps ----------------------------------------------------------------
    def lower_jumps(self, block, top=False):
        """Rewrite break/continue/return in ``block`` into flags; return (block, flags it may set)."""
        out = []
        for index, stmt in enumerate(block):
            sets = set()
            if isinstance(stmt, ast.If) and getattr(stmt, "srcad_exit", False):
                out.append(stmt)   # the exit test of a loop already lowered (an inlined call)
                continue
            if isinstance(stmt, ast.Return):
                if isinstance(stmt.value, ast.Tuple):
                    for part_name, part in zip(self.result_names(), stmt.value.elts):
                        out.append(_at(ast.Assign([ast.Name(part_name, ast.Store())], part), stmt))
                else:
                    out.append(_at(ast.Assign([ast.Name(self.result_name, ast.Store())], stmt.value), stmt))
                if top:
                    return out, set()
                self.used_return_flag = True
                out.append(_flag(self.return_flag, True, stmt))
                return out, {self.return_flag}
            if isinstance(stmt, ast.Break):
                loop = self.loop_stack[-1]
                loop.uses_break = True
                out.append(_flag(loop.break_flag, True, stmt))
                return out, {loop.break_flag}
            if isinstance(stmt, ast.Continue):
                loop = self.loop_stack[-1]
                loop.uses_continue = True
                out.append(_flag(loop.continue_flag, True, stmt))
                return out, {loop.continue_flag}
            if isinstance(stmt, ast.If):
                body, s1 = self.lower_jumps(stmt.body)
                orelse, s2 = self.lower_jumps(stmt.orelse)
                stmt.body, stmt.orelse = body, orelse
                sets = s1 | s2
                out.append(stmt)
            elif isinstance(stmt, (ast.For, ast.While)):
                out.extend(self.lower_loop(stmt))
                sets = {self.return_flag} if getattr(stmt, "may_return", False) else set()
            else:
                out.append(stmt)
            rest = block[index + 1:]
            if sets and rest:
                rest_lowered, rest_sets = self.lower_jumps(rest, top)
                if rest_lowered:
                    test = _none_of(sorted(sets), stmt)
                    out.append(_at(ast.If(test, rest_lowered, []), rest[0]))
                return out, sets | rest_sets
            if sets:
                return out, sets
        return out, set()

    def lower_loop(self, loop):
        loop.uses_break = loop.uses_continue = False
        loop.break_flag = self.names.fresh("_break")
        loop.continue_flag = self.names.fresh("_continue")
        self.loop_stack.append(loop)
        body, sets = self.lower_jumps(loop.body)
        self.loop_stack.pop()
        loop.may_return = self.return_flag in sets
        exits = [f for f in (loop.break_flag, self.return_flag) if f in sets]
        before = []
        if loop.uses_continue:
            body.insert(0, _flag(loop.continue_flag, False, loop))
        if loop.break_flag in sets:
            before.append(_flag(loop.break_flag, False, loop))
        if exits:
            test = _any_of(exits, loop)
            leave = _at(ast.If(test, [_at(ast.Break(), loop)], []), loop)
            leave.srcad_exit = True
            body.append(leave)
        loop.body = body
        return before + [loop]


class _Resolver(ast.NodeTransformer):
    """Resolves global names inside one expression."""

    def __init__(self, lowering):
        self.lowering = lowering

    def refuse(self, node, construct, message):
        self.lowering.refuse(node, construct, message)

    def global_value(self, node):
        namespace = self.lowering.info.namespace
        if node.id not in namespace:
            self.refuse(node, node.id, f"name '{node.id}' is not defined")
        return namespace[node.id]

    def visit_Name(self, node):
        if node.id in self.lowering.locals:
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
        if node.attr == "T":
            return _at(ast.Call(ast.Name("np.transpose", ast.Load()), [self.visit(node.value)], []), node)
        if node.attr in _ARRAY_ATTRIBUTES and isinstance(node.value, ast.Name):
            return node
        self.refuse(node, ast.unparse(node), "attribute access is not supported")

    def constant_or_callee(self, node, value, spelled):
        if value is None:
            return _at(ast.Constant(None), node)   # np.newaxis
        if isinstance(value, bool) or isinstance(value, numbers.Real) and not isinstance(value, type):
            return _at(ast.Constant(_python_number(value)), node)
        if isinstance(value, types.ModuleType):
            return _at(ast.Name(_MODULE_NAMES.get(value.__name__, value.__name__), ast.Load()), node)
        if isinstance(value, type) and issubclass(value, np.number) and value.__name__ in _DTYPES:
            return _at(ast.Name(f"np.{value.__name__}", ast.Load()), node)
        if value is range:
            return _at(ast.Name("range", ast.Load()), node)
        if value is len:
            return _at(ast.Name("len", ast.Load()), node)
        canonical = rule_for_object(value)
        if canonical is not None:
            return _at(ast.Name(canonical, ast.Load()), node)
        if callable(value) and _is_library_object(value):
            self.refuse(node, spelled, f"'{spelled}' has no derivative rule in srcad; "
                        "register one with srcad.rule, or write the computation with supported operations")
        if callable(value):
            self.refuse(node, spelled,
                        f"call to '{spelled}', which has no derivative rule "
                        "(calls to your own functions come in a later version)")
        self.refuse(node, spelled, f"global '{spelled}' of type {type(value).__name__} is not supported")

    def visit_Call(self, node):
        func = node.func
        axis_at = None    # the position an axis= keyword takes among the arguments
        if node.keywords:
            axis = [k for k in node.keywords if k.arg == "axis"]
            if len(axis) != len(node.keywords) or len(axis) != 1:
                self.refuse(node, ast.unparse(node.func) + "(keyword=...)",
                            "keyword arguments are not supported (except axis= of reductions)")
            axis_at = len(node.args)
            node = _at(ast.Call(func, node.args + [axis[0].value], []), node)
        if isinstance(func, ast.Attribute) and func.attr in _METHODS and not (
                isinstance(func.value, ast.Name) and func.value.id not in self.lowering.locals):
            # a.sum(), a.copy(), a.dot(b): the NumPy functions
            args = [self.visit(a) for a in [func.value] + node.args]
            if axis_at is not None:
                self.check_axis(_METHODS[func.attr], axis_at + 1, node)
            return _at(ast.Call(ast.Name(_METHODS[func.attr], ast.Load()), args, []), node)
        callee = self.user_function(func)
        if callee is not None:
            args = [self.visit(arg) for arg in node.args]
            return self.lowering.inline(callee, args, node)
        node = self.generic_visit(node)
        func = node.func
        if not isinstance(func, ast.Name):
            self.refuse(node, ast.unparse(func), "only calls of named functions are supported")
        if func.id in self.lowering.locals:
            self.refuse(node, func.id, "calling a local variable is not supported")
        if axis_at is not None:
            self.check_axis(func.id, axis_at, node)
        if func.id in ("min", "max"):
            if len(node.args) < 2:
                self.refuse(node, func.id, f"{func.id}() of a sequence is not supported; pass the values")
            folded = node.args[0]
            for arg in node.args[1:]:
                folded = _at(ast.Call(ast.Name(func.id, ast.Load()), [folded, arg], []), node)
            return folded
        if func.id == "math.log" and len(node.args) == 2:
            num = _at(ast.Call(ast.Name("math.log", ast.Load()), [node.args[0]], []), node)
            den = _at(ast.Call(ast.Name("math.log", ast.Load()), [node.args[1]], []), node)
            return _at(ast.BinOp(num, ast.Div(), den), node)
        return node

    def check_axis(self, name, position, node):
        """Refuse ``axis=`` unless it is the parameter at ``position`` of array operation ``name``."""
        operation = lookup_array_operation(name)
        if operation is None or operation.axis != position:
            self.refuse(node, f"{name}(axis=...)", f"axis= of {name} is not supported here; "
                        "pass the arguments before it, or compute along the axis with a loop")

    def user_function(self, func):
        """The Python function a call refers to, if it is one of the user's (not a builtin or a rule)."""
        if isinstance(func, ast.Name) and func.id not in self.lowering.locals:
            value = self.lowering.info.namespace.get(func.id)
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                and func.value.id not in self.lowering.locals:
            base = self.lowering.info.namespace.get(func.value.id)
            value = getattr(base, func.attr, None) if isinstance(base, types.ModuleType) else None
        else:
            return None
        if value is None or rule_for_object(value) is not None:
            return None
        plain = getattr(value, "py_func", value)
        if inspect.isfunction(plain) and (plain.__module__ or "").split(".")[0] not in _LIBRARIES:
            return plain
        return None

    def visit_BinOp(self, node):
        _check_operator(self.lowering, node.op, node)
        node = self.generic_visit(node)
        if isinstance(node.op, ast.MatMult):
            return _at(ast.Call(ast.Name("np.dot", ast.Load()), [node.left, node.right], []), node)
        return node

    def visit_Subscript(self, node):
        return self.generic_visit(node)


class _Rename(ast.NodeTransformer):
    def __init__(self, renames):
        self.renames = renames

    def visit_Name(self, node):
        if node.id in self.renames:
            node.id = self.renames[node.id]
        return node


def _is_library_object(value):
    """A function of NumPy, math or another library (not one of the user's)."""
    if isinstance(value, np.ufunc):
        return True
    module = getattr(value, "__module__", None) or getattr(type(value), "__module__", "")
    return module.split(".")[0] in _LIBRARIES


def _check_operator(lowering, op, node):
    entry = _REFUSED.get(type(op))
    if entry is not None:
        lowering.refuse(node, *entry)


def _python_number(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value)


def _flag(name, value, where):
    return _at(ast.Assign([ast.Name(name, ast.Store())], ast.Constant(value)), where)


def _any_of(flags, where):
    names = [ast.Name(f, ast.Load()) for f in flags]
    test = names[0] if len(names) == 1 else ast.BoolOp(ast.Or(), names)
    return _at(test, where)


def _none_of(flags, where):
    return _at(ast.UnaryOp(ast.Not(), _any_of(flags, where)), where)


def _last_line_node(tree):
    node = tree.body[-1]
    return node


def _at(node, where):
    """Give ``node`` (and children without a position) the position of ``where``."""
    ast.copy_location(node, where)
    ast.fix_missing_locations(node)
    for child in ast.walk(node):
        if not hasattr(child, "lineno") or child.lineno is None:
            ast.copy_location(child, where)
    return node


def normalize(info):
    """Lower ``info.tree`` to core form: a new ``ast.FunctionDef`` and the :class:`SourceMap` of its lines."""
    context = _Context(info)
    return _Lowering(info, context).lower_function(), context.source_map
