"""Forward mode: each active assignment is followed by the assignment of its tangent."""

import ast
import copy

from ..backend import allocation
from ..analysis import ArrayType
from ..analysis.types import is_element_write, target_name
from ..rules import local_partials
from . import tape
from .common import active_partials, assign, const, expression_types, located, name, times, total


class TangentTransformer:
    def __init__(self, program):
        self.p = program
        self.active = program.analysis.activity.active
        self.types = expression_types(program)

    def dot(self, var):
        return self.p.deriv.dot(var)

    def block(self, stmts):
        out = []
        for stmt in stmts:
            out.extend(self.stmt(stmt))
        return out

    def stmt(self, stmt):
        if tape.is_marker(stmt):
            # an adjoint's tape operation: its tangent goes on the tape beside it
            return tape.tangent_of_marker(stmt, self.active, self.dot)
        if isinstance(stmt, ast.Assign):
            return self.assignment(stmt)
        if isinstance(stmt, ast.If):
            new = copy.copy(stmt)
            new.body, new.orelse = self.block(stmt.body), self.block(stmt.orelse)
            return [new]
        if isinstance(stmt, (ast.For, ast.While)):
            new = copy.copy(stmt)
            new.body = self.block(stmt.body)
            return [new]
        if isinstance(stmt, ast.Return):
            # (value, tangent), or for a tuple result (values, tangents) with a tangent for each part
            if isinstance(stmt.value, ast.Tuple):
                parts = [part.id for part in stmt.value.elts]
                value = ast.Tuple([name(part) for part in parts], ast.Load())
                tangent = ast.Tuple([self.result_tangent(part) for part in parts], ast.Load())
            else:
                value, tangent = name(stmt.value.id), self.result_tangent(stmt.value.id)
            return [located(ast.Return(ast.Tuple([value, tangent], ast.Load())), stmt)]
        return [stmt]

    def assignment(self, stmt):
        if is_element_write(stmt):
            return self.element_write(stmt)
        target = stmt.targets[0].id
        if target not in self.active:
            return [stmt]
        value = stmt.value
        if not self.p.analysis.activity.is_active_expr(value, self.p.analysis.env):
            return [stmt, assign(self.dot(target), self.zero_like(target), stmt)]
        if isinstance(value, ast.Call) and value.func.id == "np.copy":
            return [stmt, assign(self.dot(target), allocation.array("np.copy", [name(self.dot(value.args[0].id))]), stmt)]
        if isinstance(value, ast.Subscript):
            element = ast.Subscript(name(self.dot(value.value.id)), copy.deepcopy(value.slice), ast.Load())
            return [stmt, assign(self.dot(target), element, stmt)]
        operands = local_partials(value, target, self.types)
        reads_target = any(isinstance(o.expr, ast.Name) and o.expr.id == target for o in operands)
        out_name = self.p.scratch_out if reads_target else target
        if reads_target:
            operands = local_partials(value, out_name, self.types)
        terms = [times(partial, name(self.dot(var)), self.types)
                 for var, partial in active_partials(operands, self.active, self.types)]
        tangent = assign(self.dot(target), total(terms), stmt)
        if not reads_target:
            return [stmt, tangent]
        if isinstance(tangent.value, ast.Name) and tangent.value.id == self.dot(target):
            return [stmt]   # ``x = x + c`` with c inactive: the tangent stays as it is
        uses_out = any(
            isinstance(n, ast.Name) and n.id == out_name
            for o in operands if o.partial is not None for n in ast.walk(o.partial)
        )
        if uses_out:
            return [assign(out_name, value, stmt), tangent, assign(target, name(out_name), stmt)]
        return [tangent, stmt]

    def result_tangent(self, result):
        """The tangent of a returned variable: zero (of its shape) when it does not depend on wrt."""
        return name(self.dot(result)) if result in self.active else self.zero_like(result)

    def zero_like(self, var):
        if isinstance(self.p.analysis.env.get(var), ArrayType):
            return allocation.array("np.zeros_like", [name(var)])
        return const(0.0)

    def element_write(self, stmt):
        array = target_name(stmt)
        if array not in self.active:
            return [stmt]
        value = stmt.value
        tangent = name(self.dot(value.id)) if isinstance(value, ast.Name) and value.id in self.active else const(0.0)
        element = ast.Subscript(name(self.dot(array)), copy.deepcopy(stmt.targets[0].slice), ast.Store())
        return [stmt, assign(element, tangent, stmt)]

    def function(self, tree, fname):
        params = [a.arg for a in tree.args.args]
        dots = [self.dot(w) for w in self.p.wrt_names]
        body = self.block(tree.body)
        args = ast.arguments(posonlyargs=[], args=[ast.arg(a) for a in params + dots],
                             kwonlyargs=[], kw_defaults=[], defaults=[])
        fn = ast.FunctionDef(name=fname, args=args, body=body, decorator_list=[], returns=None,
                             type_params=[])
        return located(fn, tree)
