"""Lists of numbers, written out or by a comprehension, as arrays.

Numba types a list of numbers (``[a, b, c]``, ``[x[i] ** 2 for i in range(n)]``)
as a reflected list or, passed to ``np.array``, as an array; library code
uses them to build a small vector, or to sum terms (``sum([...])``).  The
frontend makes each one a fresh array: a list written out becomes an
allocation and one element write per element (``[[a, b], [c, d]]`` a 2-D
array), a comprehension becomes an allocation and a loop that writes its
elements in order.  Reading, indexing, looping over, ``len``, ``sum``,
``max``, ``min`` and ``np.array`` / ``np.asarray`` of such a list mean the
same for the array.  What does not — Python's operators on a list repeat,
join or compare it as a whole, a function of the user's would receive an
array — is refused by :class:`ListDisplays`, the part of the expression
visitor (``resolve.Resolver``) that lowers them.

The array's dtype is that of its elements, decided once the types are known
(a ``_srcad_type`` mark, see ``anno.py``): floats if any element is a float.
"""

import ast
import copy
from functools import reduce

from .anno import TYPE_OF
from .syntax import Rename, at

LISTS = (ast.List, ast.ListComp, ast.GeneratorExp)


class ListDisplays:
    """Lowers list displays and comprehensions met in an expression (a mixin of ``resolve.Resolver``)."""

    def is_list(self, node):
        """Is expression ``node`` (the user's, before resolution) a list: a display, a comprehension, or a
        name assigned one?"""
        return isinstance(node, LISTS) or isinstance(node, ast.Name) and node.id in self.lowering.list_names

    def refuse_list_operands(self, node, operands):
        if any(self.is_list(o) for o in operands):
            self.refuse(node, ast.unparse(self.originals.get(id(node), node)),
                        "Python's operators on a list repeat, join or compare the list, not its numbers; "
                        "make it an array first, with np.array([...])")

    def visit_List(self, node):
        return self.fresh_list(node)

    def visit_ListComp(self, node):
        return self.fresh_list(node)

    def visit_GeneratorExp(self, node):
        return self.fresh_list(node)

    def fresh_list(self, node, dest=None):
        """The name of a new array holding list ``node``; its statements go to ``lowering.hoisted``."""
        lowering = self.lowering
        if dest is None:
            dest = lowering.names.fresh("_list")
        lowering.locals.add(dest)
        if isinstance(node, ast.List):
            self.written_out(node, dest)
        else:
            self.comprehension(node, dest)
        if not (isinstance(node, ast.List) and isinstance(node.elts[0], (ast.List, ast.Tuple))):
            lowering.vectors.add(dest)   # 1-D: sum() and max() of it need no check
        return at(ast.Name(dest, ast.Load()), node)

    def written_out(self, node, dest):
        if not isinstance(node.ctx, ast.Load):
            self.refuse(node, "list", "a list cannot be assigned to")
        rows = node.elts
        if not rows:
            self.refuse(node, "[]", "an empty list has no type Numba can give it; allocate an array, "
                        "as in np.zeros(n)")
        nested = [isinstance(r, (ast.List, ast.Tuple)) for r in rows]
        if any(nested):
            if not all(nested) or len({len(r.elts) for r in rows}) != 1 or not rows[0].elts \
                    or any(isinstance(e, LISTS + (ast.Tuple,)) for r in rows for e in r.elts):
                self.refuse(node, "list", "a list of lists must be a table of numbers, every row as long")
            shape = ast.Tuple([ast.Constant(len(rows)), ast.Constant(len(rows[0].elts))], ast.Load())
            places = [(ast.Tuple([ast.Constant(i), ast.Constant(j)], ast.Load()), e)
                      for i, r in enumerate(rows) for j, e in enumerate(r.elts)]
        else:
            shape = ast.Constant(len(rows))
            places = [(ast.Constant(i), e) for i, e in enumerate(rows)]
        values = [self.visit(e) for _, e in places]   # Python's order: the elements, then the list
        dtype = _type_of(reduce(lambda a, b: ast.BinOp(a, ast.Add(), b), [copy.deepcopy(v) for v in values]))
        out = [at(ast.Assign([ast.Name(dest, ast.Store())], ast.Call(ast.Name("np.empty", ast.Load()),
                                                                     [shape, dtype], [])), node)]
        for (index, _), value in zip(places, values):
            target = ast.Subscript(ast.Name(dest, ast.Load()), index, ast.Store())
            out.append(at(ast.Assign([target], value), node))
        self.lowering.hoisted.extend(out)

    def comprehension(self, node, dest):
        lowering = self.lowering
        what = "a generator expression" if isinstance(node, ast.GeneratorExp) else "a list comprehension"
        if len(node.generators) != 1 or node.generators[0].ifs or node.generators[0].is_async:
            self.refuse(node, what, f"{what} takes one 'for' and no 'if' here; write the loop out")
        generator = node.generators[0]
        targets = generator.target.elts if isinstance(generator.target, ast.Tuple) else [generator.target]
        if not all(isinstance(t, ast.Name) for t in targets):
            self.refuse(node, what, "the variables of a comprehension must be plain names")
        count = self.comprehension_length(generator.iter, what, node)
        # the comprehension's variables are its own, as in Python 3: fresh names
        renames = {t.id: lowering.names.fresh(f"_{t.id}") for t in targets}
        value, position = lowering.names.fresh("_item"), lowering.names.fresh("_at")
        lowering.locals.update(list(renames.values()) + [value, position])
        target = Rename(renames).visit(copy.deepcopy(generator.target))
        element = Rename(renames).visit(copy.deepcopy(node.elt))
        store = ast.Subscript(ast.Name(dest, ast.Load()), ast.Name(position, ast.Load()), ast.Store())
        step = ast.BinOp(ast.Name(position, ast.Load()), ast.Add(), ast.Constant(1))
        loop = at(ast.For(target, copy.deepcopy(generator.iter), [
            at(ast.Assign([ast.Name(value, ast.Store())], element), node),
            at(ast.Assign([store], ast.Name(value, ast.Load())), node),
            at(ast.Assign([ast.Name(position, ast.Store())], step), node),
        ], [], None), node)
        allocate = at(ast.Assign([ast.Name(dest, ast.Store())], ast.Call(
            ast.Name("np.empty", ast.Load()), [count, _type_of(ast.Name(value, ast.Load()))], [])), node)
        start = at(ast.Assign([ast.Name(position, ast.Store())], ast.Constant(0)), node)
        lowering.hoisted.extend([allocate, start] + lowering.desugar_block([loop]))

    def comprehension_length(self, it, what, node):
        """The number of elements a comprehension over ``it`` makes (an int expression, resolved)."""
        callee = self.lowering.global_object(it.func) if isinstance(it, ast.Call) else None
        if callee is range and not it.keywords and 1 <= len(it.args) <= 3:
            args = [self.visit(copy.deepcopy(a)) for a in it.args]
            bounds = [ast.Constant(0)] + args + [ast.Constant(1)] if len(args) == 1 else \
                args + [ast.Constant(1)] if len(args) == 2 else args
            return ast.Call(ast.Name("range_len", ast.Load()), bounds, [])
        sequences = [it] if isinstance(it, ast.Name) else it.args if callee in (enumerate, zip) else None
        if not sequences or not all(isinstance(s, ast.Name) and s.id in self.lowering.locals for s in sequences) \
                or callee is enumerate and len(sequences) != 1:
            self.refuse(node, what, f"{what} runs over range(), an array, enumerate(array) or zip(arrays...) "
                        "by name")
        lengths = [ast.Call(ast.Name("len", ast.Load()), [self.visit(copy.deepcopy(s))], []) for s in sequences]
        return reduce(lambda a, b: ast.Call(ast.Name("min", ast.Load()), [a, b], []), lengths)


def _type_of(expr):
    return ast.Call(ast.Name(TYPE_OF, ast.Load()), [expr], [])
