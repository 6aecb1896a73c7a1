"""Lowering a parsed function to srcad's core form.

The core form is ordinary Python that every later stage can rely on:

* names of the ``math`` module, NumPy and builtins resolved to the canonical
  spelling of their rule (``math.sin``, ``min``), global numbers inlined,
  global arrays read under a name the generated module defines;
* only simple assignments ``name = expression`` (no tuples, no augmented
  assignment), ``if``, ``for name in range(...)``, ``while``; a tuple
  variable is one variable per element (``p`` -> ``p_0``, ``p_1``);
* calls of the user's functions inlined, in Python's order of evaluation:
  the statements of a call in the second operand of ``and``/``or`` or in a
  branch of a conditional expression run only when Python would run them;
* a single ``return`` as the last statement; ``break``, ``continue`` and early
  ``return`` become flags that guard the statements after them, and a loop is
  left only by an exit test ``if flag: break`` at the end of its body;
* the function specialized to its arguments: array arguments it changes are
  copied at its top, ``p is None`` tests are decided.

Everything outside the accepted language is refused here with the file, the
line and the construct named.

The jobs live in modules of their own: :mod:`.resolve` (global names,
modules, constants: the expression visitor), :mod:`.inline` (calls of the
user's functions), :mod:`.jumps` (break, continue and return into flags),
:mod:`.specialize` (the function specialized to its arguments),
:mod:`.refused` (the constructs refused) and :mod:`.anno` (the marks left on
statements for later passes).  This module holds the driver: the desugaring
of statements (assignments, tuples, loops) and :func:`normalize`.
"""

import ast
import builtins
import copy
import types

import numpy as np

from ..errors import UnsupportedError
from .anno import TYPE_OF, mark_in_place
from .jumps import breaks as jumps_breaks
from .jumps import ends_with_return, lower_jumps
from .lists import LISTS
from .names import NameSource, user_names
from .refused import check_constructs, check_operator
from .resolve import Constants, Resolver, is_number_tuple
from .source import SourceMap
from .specialize import check_none_reads, copy_changed_arguments, rebind_none_arguments
from .syntax import assignment, at


class _Context:
    """State shared by a function and the functions inlined into it."""

    def __init__(self, info):
        self.source_map = SourceMap(info)
        self.inlining = [info.func]     # functions being lowered, outermost first
        self.constants = Constants(info)   # the global arrays read, by the names the generated module gives them
        self.derivative_types = {}      # number of a call of a derivative -> the types of its arguments, once known
        self.derivative_count = 0       # the calls of derivatives numbered so far (see inline.inline_derivative)


class _Lowering:
    """Lowers one function, the user's or one inlined into it, statement by statement."""

    def __init__(self, info, context, inlined=False, result_used=True, tuple_params=None, none_params=()):
        self.info = info
        self.none_params = set(none_params)   # parameters given None: 'p is None' is known
        self.context = context
        self.inlined = inlined
        self.result_used = result_used   # False for a call made as a statement: its value is dropped
        self.hoisted = []      # statements computing inlined calls of the statement being lowered
        self.parallel_lines = set()   # lines of its prange loops, and of those of the functions inlined into it
        self.result_arity = None
        self.return_arities = set()   # tuple lengths of the returns seen (None: a single value)
        self.names = NameSource(user_names(info.tree))
        self.locals = set(info.params)
        self.reassigned = {n.id for n in ast.walk(info.tree) if isinstance(n, ast.Name)
                           and isinstance(n.ctx, ast.Store) and n.id in info.params}
        self.list_names = set()     # names assigned a list of numbers (made an array): see lists.py
        self.vectors = set()        # the arrays made of lists that are 1-D
        self.array_ndims = {}       # array parameter -> its ndim, where known (the function's own)
        self.array_hints = {}       # source place -> ndim: arguments an earlier lowering's types found arrays
        self.unknown_kinds = {}     # source place -> name: arguments of a @vectorize helper of unknown kind
        self.type_aliases = {}      # T of T = type(x) -> the type marker it stands for, read in its place
        self.scalar_names = set()   # names assigned a value that is not a tuple so far
        self.read_names = set()     # names read so far
        for node in ast.walk(info.tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.locals.add(node.id)
        self.loop_stack = []
        self.used_return_flag = False
        self.result_name = self.names.exact("_result")
        self.return_flag = self.names.exact("_returned")
        # a tuple variable lives as one variable per element: p -> [p_0, p_1]
        self.tuples = {}
        for param, arity in (tuple_params or {}).items():
            self.tuples[param] = [self.names.exact(f"{param}_{k}") for k in range(arity)]
            self.locals.update(self.tuples[param])
        # a tuple parameter taken as its elements (a derivative with respect to a tuple): its
        # elements are the parameters themselves, so nothing is read into variables at the top
        for param, elements in info.packed.items():
            self.tuples[param] = list(elements)
            self.locals.add(param)

    def tuple_elements(self, name, arity, node):
        """The element variables of tuple variable ``name``, made on its first assignment."""
        elements = self.tuples.get(name)
        if elements is None:
            if name in self.scalar_names or name in self.info.params:
                self.refuse(node, name, f"'{name}' holds a tuple here and another kind of value elsewhere")
            if name in self.read_names:
                self.refuse(node, name, f"'{name}' is read above its first assignment of a tuple; "
                            "assign it a tuple before the loop")
            elements = self.tuples[name] = [self.names.exact(f"{name}_{k}") for k in range(arity)]
            self.locals.update(elements)
        elif len(elements) != arity:
            self.refuse(node, name, f"'{name}' holds tuples of {len(elements)} and of {arity} values")
        return elements

    # errors -------------------------------------------------------------
    def refuse(self, node, construct, message):
        raise UnsupportedError(message, construct=construct, **self.info.where(node))

    # name resolution (the expression visitor is resolve.Resolver) ------
    def global_object(self, node):
        """The object a global name or a module attribute refers to, or None."""
        if isinstance(node, ast.Name) and node.id not in self.locals:
            return self.info.namespace.get(node.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id not in self.locals:
            base = self.info.namespace.get(node.value.id)
            if isinstance(base, types.ModuleType):
                return getattr(base, node.attr, None)
        return None

    def resolve(self, node):
        """A copy of expression ``node`` with global names resolved."""
        resolver = Resolver(self, node)
        return resolver.visit(resolver.tree)

    # statements ---------------------------------------------------------
    def lower_function(self):
        tree = self.info.tree
        check_constructs(self, tree)
        body = [] if self.inlined else self.unpack_tuple_params(tree)
        body += self.desugar_block(tree.body)
        if self.result_used and not ends_with_return(tree.body):
            self.refuse(tree, "missing return", "the function must end with a 'return' of its value")
        body, _ = lower_jumps(self, body, top=True)
        check_none_reads(self, body)
        if self.used_return_flag:
            init = ast.Assign([ast.Name(self.return_flag, ast.Store())], ast.Constant(False))
            body.insert(0, at(init, tree.body[0]))
        ret = ast.Return(self.result_expr())
        body.append(at(ret, _last_line_node(tree)))
        new = ast.FunctionDef(
            name=tree.name, args=copy.deepcopy(tree.args), body=body, decorator_list=[],
            returns=None, type_comment=None, type_params=[],
        )
        return at(new, tree)

    def unpack_tuple_params(self, tree):
        out = []
        for param in self.info.params:
            for k, element in enumerate(self.tuples.get(param, ())):
                read = ast.Subscript(ast.Name(param, ast.Load()), ast.Constant(k), ast.Load())
                out.append(assignment(element, read, tree))
        return out

    def result_expr(self):
        if not self.result_used:
            return ast.Constant(None)
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

    def desugar(self, stmt):
        """The core-form statements of statement ``stmt``; those of the calls it makes go to ``self.hoisted``."""
        if isinstance(stmt, ast.Assign):
            return self.desugar_assign(stmt)
        if isinstance(stmt, ast.AnnAssign):
            if stmt.value is None:
                return []
            return self.assign(stmt.target, self.resolve(stmt.value), stmt)
        if isinstance(stmt, ast.AugAssign):
            return self.desugar_aug_assign(stmt)
        if isinstance(stmt, ast.Expr):
            return self.desugar_expr(stmt)
        if isinstance(stmt, ast.Pass):
            return []
        if isinstance(stmt, ast.Assert):
            return [at(ast.Assert(self.resolve(stmt.test), None), stmt)]
        if isinstance(stmt, ast.If):
            test = self.resolve(stmt.test)
            if isinstance(test, ast.Constant) and isinstance(test.value, bool):
                # decided when the function is specialized ('p is None'): only that branch exists
                return self.desugar_block(stmt.body if test.value else stmt.orelse)
            node = ast.If(test, self.desugar_block(stmt.body), self.desugar_block(stmt.orelse))
            return [at(node, stmt)]
        if isinstance(stmt, ast.While):
            return self.desugar_while(stmt)
        if isinstance(stmt, ast.For):
            return [self.desugar_for(stmt)]
        if isinstance(stmt, ast.Return):
            return self.desugar_return(stmt)
        if isinstance(stmt, ast.Raise):
            return [self.desugar_raise(stmt)]
        if isinstance(stmt, (ast.Break, ast.Continue)):
            if not self.loop_stack:
                self.refuse(stmt, type(stmt).__name__.lower(), "outside a loop")
            return [stmt]
        self.refuse(stmt, type(stmt).__name__, "this statement is not supported")

    def desugar_assign(self, stmt):
        """``a = b = e``: one assignment per target, of the value computed once."""
        target = stmt.targets[0]
        if len(stmt.targets) == 1 and isinstance(target, ast.Name) and isinstance(stmt.value, LISTS):
            self.list_names.add(target.id)
        made = _made_array(self, stmt.value)
        if len(stmt.targets) == 1 and isinstance(target, ast.Name) and made is not None \
                and target.id not in self.tuples \
                and not any(isinstance(n, ast.Name) and n.id == target.id for n in ast.walk(made)):
            # v = [a, b] or np.array([a, b]): the list is made in v itself
            self.scalar_names.add(target.id)
            resolver = Resolver(self, made)
            resolver.fresh_list(resolver.tree, dest=target.id)
            return []
        value = self.resolve(stmt.value)
        if len(stmt.targets) == 1:
            return self.assign(stmt.targets[0], value, stmt)
        first = stmt.targets[-1]
        out = self.assign(first, value, stmt)
        for target in stmt.targets[:-1]:
            out += self.assign(target, ast.Name(first.id, ast.Load()) if isinstance(first, ast.Name)
                               else self.refuse(stmt, "chained assignment", "use separate assignments"), stmt)
        return out

    def desugar_aug_assign(self, stmt):
        """``a op= e`` as ``a = a op e``, marked in place; ``a[i] op= e`` as one element assignment."""
        check_operator(self, stmt.op, stmt)
        if isinstance(stmt.target, ast.Name):
            value = ast.BinOp(ast.Name(stmt.target.id, ast.Load()), stmt.op, self.resolve(stmt.value))
            lowered = self.assign(stmt.target, at(value, stmt), stmt)
            # an array changes in place; the views pass decides once the types are known
            mark_in_place(lowered[-1])
            return lowered
        if not isinstance(stmt.target, ast.Subscript):
            self.refuse(stmt, type(stmt.target).__name__, "unsupported augmented assignment target")
        stmt.target = _composed_element(stmt.target)
        self.check_element_target(stmt.target, stmt)
        # one expression, so that the element is read before the calls on the right, as in Python
        current = at(ast.Subscript(stmt.target.value, stmt.target.slice, ast.Load()), stmt.target)
        value = self.resolve(at(ast.BinOp(current, stmt.op, stmt.value), stmt))
        element = copy.deepcopy(value.left)
        element.ctx = ast.Store()
        return [at(ast.Assign([element], value), stmt)]

    def desugar_expr(self, stmt):
        """An expression statement: a docstring, or a call of the user's function whose value is dropped."""
        if isinstance(stmt.value, ast.Constant):
            return []  # docstring or stray literal
        resolver = Resolver(self, stmt.value)
        if isinstance(stmt.value, ast.Call) and resolver.user_function(stmt.value.func) is not None:
            # a call of the user's made for what it writes into its arguments
            resolver.call(resolver.tree, result_used=False)
            return []
        self.refuse(stmt, "expression statement", "a call whose result is unused has no effect srcad can differentiate")

    def desugar_raise(self, stmt):
        """``raise ValueError("...")``: a path that leaves the function, kept as it is in every derivative.

        Nothing is differentiated on it, and the derivative raises where the function does.  The
        exception must be one of Python's own classes (the generated module sees only builtins) and its
        arguments constants, which Numba compiles and no transform renames.
        """
        if stmt.exc is None:
            self.refuse(stmt, "raise", "a bare 'raise' re-raises a caught exception, and there is none; "
                        "raise an exception class, as in raise ValueError(\"...\")")
        if stmt.cause is not None:
            self.refuse(stmt, "raise ... from", "'raise ... from' is not supported; raise the exception alone")
        call = stmt.exc if isinstance(stmt.exc, ast.Call) else None
        spelled = ast.unparse(call.func if call else stmt.exc)
        cls = self.global_object(call.func if call else stmt.exc)
        if not (isinstance(cls, type) and issubclass(cls, BaseException)
                and getattr(builtins, cls.__name__, None) is cls):
            self.refuse(stmt, f"raise {spelled}", "raise one of Python's built-in exception classes "
                        "(ValueError, ZeroDivisionError, ...) with constant arguments")
        args = call.args if call else []
        if call and call.keywords or not all(isinstance(a, ast.Constant) for a in args):
            self.refuse(stmt, f"raise {spelled}", "the arguments of a raised exception must be constants, "
                        "as in raise ValueError(\"scale must be positive\")")
        exc = ast.Call(ast.Name(cls.__name__, ast.Load()), [ast.Constant(a.value) for a in args], [])
        return at(ast.Raise(at(exc, stmt), None), stmt)

    def desugar_while(self, stmt):
        """``while``: a test that calls the user's functions is evaluated at the top of every iteration."""
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
            leave = at(ast.If(at(ast.UnaryOp(ast.Not(), test), stmt), [at(ast.Break(), stmt)], []), stmt)
            body = computed + [leave] + body
            test = at(ast.Constant(True), stmt)
        return [at(ast.While(test, body, []), stmt)]

    def desugar_return(self, stmt):
        """``return e``, left for the jumps lowering; all returns give tuples of one length, or all one value."""
        if not self.result_used:
            if stmt.value is not None:
                self.resolve(stmt.value)   # for the calls it makes; the value itself is dropped
            return [at(ast.Return(None), stmt)]
        if stmt.value is None:
            self.refuse(stmt, "return", "the function must return a value")
        if isinstance(stmt.value, LISTS) or isinstance(stmt.value, ast.Name) and stmt.value.id in self.list_names:
            self.refuse(stmt, "return", "return np.array([...]) rather than a list")
        value = self.resolve(stmt.value)   # a call of a tuple-returning function gives its tuple
        arity = len(value.elts) if isinstance(value, ast.Tuple) else None
        self.return_arities.add(arity)
        if len(self.return_arities) > 1:
            self.refuse(stmt, "tuple return" if arity else "return",
                        "every return must give a tuple of the same length, or every one a single value")
        self.result_arity = arity
        return [at(ast.Return(value), stmt)]

    def desugar_for(self, stmt):
        if stmt.orelse:
            self.refuse(stmt, "for/else", "an 'else' clause on a loop is not supported")
        if isinstance(stmt.iter, ast.Call) and self.global_object(stmt.iter.func) is np.ndenumerate:
            return self.desugar_for(self.ndenumerate_loops(stmt))
        it, target, prologue = self.iteration(stmt)
        stmt = at(ast.For(target, it, prologue + stmt.body, [], None), stmt)
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
            body.insert(0, at(ast.Assign([ast.Name(index, ast.Store())], ast.Name(counter, ast.Load())), stmt))
            index = counter
        node = ast.For(ast.Name(index, ast.Store()), it, body, [], None)
        return at(node, stmt)

    def iteration(self, stmt):
        """(range call, loop variable, statements that bind the user's names) for any supported ``for``."""
        it = stmt.iter
        kind = None
        if isinstance(it, ast.Name) and (it.id in self.tuples or is_number_tuple(self.global_object(it))):
            return self.tuple_iteration(stmt)
        if isinstance(it, ast.Call):
            callee = self.global_object(it.func)
            kind = {range: "range", enumerate: "enumerate", zip: "zip"}.get(callee)
            if kind is None and _is_prange(callee):
                # a parallel loop means the same as a serial one; the parallel target may run it in parallel
                kind = "range"
                self.parallel_lines.add(stmt.lineno)
                it = at(ast.Call(ast.Name("range", ast.Load()), it.args, it.keywords), it)
        if kind == "range":
            if not isinstance(stmt.target, ast.Name):
                self.refuse(stmt, "for with tuple target", "a loop over range() takes a single variable")
            return self.resolve(it), stmt.target, []
        if kind is None and isinstance(it, LISTS):
            # for w in [0.5, 2.0]: over a new array made of the list, before the loop
            it = self.list_array(it)
        if kind in ("enumerate", "zip") and any(isinstance(a, LISTS) for a in it.args):
            it = at(ast.Call(it.func, [self.list_array(a) if isinstance(a, LISTS) else a for a in it.args],
                             it.keywords), it)
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
        lengths = [at(ast.Call(ast.Name("len", ast.Load()), [ast.Name(a.id, ast.Load())], []), stmt)
                   for a in sequences]
        stop = lengths[0]
        for length in lengths[1:]:
            stop = at(ast.Call(ast.Name("min", ast.Load()), [stop, length], []), stmt)
        prologue = [
            at(ast.Assign([ast.Name(t.id, ast.Store())],
                           ast.Subscript(ast.Name(a.id, ast.Load()), ast.Name(index.id, ast.Load()), ast.Load())), stmt)
            for t, a in zip(targets, sequences)
        ]
        range_call = at(ast.Call(ast.Name("range", ast.Load()), [stop], []), stmt)
        return range_call, ast.Name(index.id, ast.Store()), prologue

    def list_array(self, node):
        """The name of a new array made of list ``node``; its statements go to ``self.hoisted``."""
        resolver = Resolver(self, node)
        return resolver.fresh_list(resolver.tree)

    def ndenumerate_loops(self, stmt):
        """``for idx, v in np.ndenumerate(A)``: one ``range`` loop a dimension, the innermost binding the
        index tuple ``idx`` (or the names of ``(i, j), v``) and the element ``v``."""
        it = stmt.iter
        target = stmt.target
        if len(it.args) != 1 or it.keywords or not isinstance(it.args[0], ast.Name) \
                or not (isinstance(target, ast.Tuple) and len(target.elts) == 2):
            self.refuse(stmt, "np.ndenumerate", "loop as 'for index, value in np.ndenumerate(a)' over an array "
                        "by name")
        array = it.args[0]
        index, value = target.elts
        if isinstance(index, ast.Tuple):
            ndim = len(index.elts)
        elif array.id in self.array_ndims:
            ndim = self.array_ndims[array.id]
        else:
            self.refuse(stmt, "np.ndenumerate", f"the ndim of '{array.id}' is not known here; unpack the index, "
                        "as in 'for (i, j), v in np.ndenumerate(a)'")
        if ndim > 1 and jumps_breaks(stmt.body):
            self.refuse(stmt, "break", "a 'break' in a loop over np.ndenumerate of several dimensions is not "
                        "supported; use one loop a dimension")
        counters = [self.names.fresh("_n") for _ in range(ndim)]
        self.locals.update(counters)
        here = [ast.Name(c, ast.Load()) for c in counters]
        position = ast.Tuple(here, ast.Load()) if ndim > 1 else here[0]
        prologue = [at(ast.Assign([copy.deepcopy(index)], ast.Tuple(list(here), ast.Load())), stmt),
                    at(ast.Assign([copy.deepcopy(value)],
                                  ast.Subscript(copy.deepcopy(array), copy.deepcopy(position), ast.Load())), stmt)]
        loop = prologue + stmt.body
        for dim in range(ndim - 1, -1, -1):
            extent = ast.Subscript(ast.Attribute(copy.deepcopy(array), "shape", ast.Load()), ast.Constant(dim),
                                   ast.Load())
            iterate = ast.Call(ast.Name("range", ast.Load()), [extent], [])
            loop = [at(ast.For(ast.Name(counters[dim], ast.Store()), iterate, loop, [], None), stmt)]
        return loop[0]

    def tuple_iteration(self, stmt):
        """``for v in p`` over a tuple: a loop over its positions that picks the element of each."""
        if not isinstance(stmt.target, ast.Name):
            self.refuse(stmt, "for target", "loop variables must be plain names")
        elements = self.resolve(stmt.iter).elts
        index = self.names.fresh("_i")
        self.locals.add(index)
        picked = elements[-1]
        for k in range(len(elements) - 2, -1, -1):
            test = ast.Compare(ast.Name(index, ast.Load()), [ast.Eq()], [ast.Constant(k)])
            picked = ast.IfExp(test, elements[k], picked)
        prologue = [assignment(stmt.target.id, picked, stmt)]
        range_call = at(ast.Call(ast.Name("range", ast.Load()), [ast.Constant(len(elements))], []), stmt)
        return range_call, ast.Name(index, ast.Store()), prologue

    def assign(self, target, value, stmt):
        if isinstance(target, ast.Name) and isinstance(value, ast.Tuple):
            elements = self.tuple_elements(target.id, len(value.elts), stmt)
            return self.assign(ast.Tuple([ast.Name(e, ast.Store()) for e in elements], ast.Store()), value, stmt)
        if isinstance(target, ast.Name) and _is_type(value):
            # T = type(x): not a value Numba code computes with; T is read as type(x) from here on
            if target.id in self.scalar_names or target.id in self.info.params or self.loop_stack:
                self.refuse(stmt, target.id, f"'{target.id}' names a type; assign it once, at the top of "
                            "the function, and give values other names")
            self.type_aliases[target.id] = value
            return []
        if isinstance(target, ast.Name):
            if target.id in self.tuples:
                self.refuse(stmt, target.id, f"'{target.id}' holds a tuple here and another kind of value elsewhere")
            self.scalar_names.add(target.id)
            return [at(ast.Assign([ast.Name(target.id, ast.Store())], value), stmt)]
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Attribute) and value.attr == "shape":
            # n, m = A.shape: one extent each, for an array of that many dimensions
            count = len(target.elts)
            check = ast.Assert(ast.Compare(ast.Attribute(copy.deepcopy(value.value), "ndim", ast.Load()),
                                           [ast.Eq()], [ast.Constant(count)]), None)
            extents = [ast.Subscript(copy.deepcopy(value), ast.Constant(k), ast.Load()) for k in range(count)]
            return [at(check, stmt)] + self.assign(target, at(ast.Tuple(extents, ast.Load()), stmt), stmt)
        if isinstance(target, ast.Tuple):
            if not isinstance(value, ast.Tuple) or len(value.elts) != len(target.elts):
                self.refuse(stmt, "tuple unpacking",
                            "unpack only a tuple written out on the right, e.g. 'a, b = b, a * x'")
            written = {t.id for t in target.elts if isinstance(t, ast.Name)}
            if not any(isinstance(n, ast.Name) and n.id in written for n in ast.walk(value)) \
                    and all(isinstance(t, ast.Name) for t in target.elts):
                # no element reads a variable that another one writes: assign them in order
                return [part for sub, elt in zip(target.elts, value.elts) for part in self.assign(sub, elt, stmt)]
            staged = []
            out = []
            for elt in value.elts:
                temp = self.names.fresh("_u")
                out.append(at(ast.Assign([ast.Name(temp, ast.Store())], elt), stmt))
                staged.append(temp)
            for sub, temp in zip(target.elts, staged):
                out += self.assign(sub, ast.Name(temp, ast.Load()), stmt)
            return out
        if isinstance(target, ast.Subscript):
            target = _composed_element(target)
            self.check_element_target(target, stmt)
            resolver = Resolver(self, ast.Subscript(target.value, target.slice, ast.Load()))
            computed, element = resolver.operand(resolver.tree)
            out = []
            if computed:
                # Python evaluates the value before the calls in the index
                temp = self.names.fresh("_v")
                self.locals.add(temp)
                out = [assignment(temp, value, stmt)] + computed
                value = ast.Name(temp, ast.Load())
            element.ctx = ast.Store()
            return out + [at(ast.Assign([element], value), stmt)]
        self.refuse(stmt, type(target).__name__, "unsupported assignment target")

    def check_element_target(self, target, stmt):
        name = target.value.id if isinstance(target.value, ast.Name) else None
        if name is not None and name not in self.locals and isinstance(self.info.namespace.get(name), np.ndarray):
            self.refuse(stmt, "element assignment", f"'{name}' is a global array, which Numba compiles as a "
                        f"constant; write into a copy: {name}_work = {name}.copy()")
        if isinstance(target.value, ast.Subscript):
            self.refuse(stmt, "element assignment", "writing into an element of a slice is not supported; "
                        "give the slice a name (w = M[1:3]; w[0] = ...) or index the array itself")
        if name is None or name not in self.locals:
            self.refuse(stmt, "element assignment", "write elements of a local array or parameter by name")


def _composed_element(target):
    """``M[1][0]`` as the one subscript ``M[1, 0]`` it writes (so for every index given by position)."""
    if not isinstance(target, ast.Subscript) or not isinstance(target.value, ast.Subscript):
        return target
    inner = _composed_element(target.value)
    positions = _index_parts(inner.slice)
    if any(isinstance(p, ast.Slice) or isinstance(p, ast.Constant) and p.value in (None, Ellipsis)
           for p in positions):
        return target   # a slice is a view: its element is not the base's at the same indices
    parts = positions + _index_parts(target.slice)
    return at(ast.Subscript(inner.value, ast.Tuple(parts, ast.Load()), target.ctx), target)


def _index_parts(index):
    return list(index.elts) if isinstance(index, ast.Tuple) else [index]


def _made_array(lowering, value):
    """The list display or comprehension that ``value`` makes an array of (``[...]``, ``np.array([...])``), or None."""
    if isinstance(value, ast.Call) and len(value.args) == 1 and not value.keywords \
            and lowering.global_object(value.func) in (np.array, np.asarray):
        value = value.args[0]
        if isinstance(value, ast.Tuple):
            return at(ast.List(list(value.elts), ast.Load()), value)
    return value if isinstance(value, LISTS) else None


def _is_type(value):
    """Is core-form expression ``value`` a type, ``type(x)`` or ``x.dtype``?"""
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == TYPE_OF


def _is_prange(value):
    import numba

    return value is numba.prange


def _last_line_node(tree):
    node = tree.body[-1]
    return node


def normalize(info, array_params=(), tuple_params=None, none_params=(), array_hints=None, unknown_kinds=None,
              derivative_types=None):
    """Lower ``info.tree`` to core form.

    Returns a new ``ast.FunctionDef``, the :class:`SourceMap` of its lines
    and the global arrays it reads, by the names it reads them under.

    ``array_params`` maps the parameters that are arrays to their ndim; those the
    function changes are copied at its top.  ``tuple_params`` maps the parameters that
    are tuples to their lengths; their elements are read into variables at the top.
    ``none_params`` names the parameters given None: tests ``p is None`` are decided.
    ``array_hints`` maps places in the source (see ``inline.source_place``) of arguments
    of ``@numba.vectorize`` helpers to the ndim the types of an earlier lowering gave
    them; into the dict ``unknown_kinds`` go the places of such arguments whose kind
    this lowering did not know (it applied the helper's scalar body to them), with the
    variable that holds each: where the types say one is an array, the caller lowers
    again with it among the hints, and the call becomes a loop over elements.
    ``derivative_types`` maps the calls of derivatives made by srcad, by number, to the types of
    their arguments; a call it does not know gives a stand-in result, and the caller lowers again
    once the types of the variables marked as its arguments are known (see
    :func:`.inline.inline_derivative`).
    """
    context = _Context(info)
    context.derivative_types = dict(derivative_types or {})
    lowering = _Lowering(info, context, tuple_params=tuple_params, none_params=none_params)
    lowering.array_ndims = dict(array_params) if isinstance(array_params, dict) else {}
    lowering.array_hints = dict(array_hints or {})
    function = rebind_none_arguments(lowering, lowering.lower_function())
    function = copy_changed_arguments(lowering, function, set(array_params))
    if unknown_kinds is not None:
        unknown_kinds.update(lowering.unknown_kinds)
    context.source_map.parallel_lines = set(lowering.parallel_lines)
    return function, context.source_map, context.constants.arrays
