"""Facts the frontend attaches to core-form statements for later passes.

Two marks on statements: an assignment that lowers an augmented assignment (below), and the
exit test ``if flag: break`` by which a lowered loop is left (set by the jumps
lowering, read by the passes that split loops).

An augmented assignment ``a += e`` is lowered to ``a = a + e``.  For a scalar
that is the whole story, but for an array NumPy changes the array object in
place, so every view of it and every caller's name for it sees the change.
The frontend cannot tell arrays from scalars, so it marks the assignment;
the views pass, which knows the types, turns a marked assignment to an array
into a write of all its elements.

Two calls mark what depends on types the frontend does not know yet:
``_srcad_type(x)`` is ``type(x)`` (or ``x.dtype``), and ``_srcad_cast(v, x)`` is
``type(x)(v)``, ``v`` converted to the type of ``x`` (dtype-generic code:
``T = type(x); T(0.5)``).  The casts pass (``lower/casts.py``) replaces them
once the types are inferred.
"""

import ast

_IN_PLACE = "srcad_in_place"
_EXIT = "srcad_exit"
TYPE_OF = "_srcad_type"   # type(x), or x.dtype: the type of x
CAST = "_srcad_cast"      # _srcad_cast(v, x): type(x)(v)


def mark_in_place(stmt):
    """Mark ``stmt`` (an ``ast.Assign`` to a name) as the lowering of an augmented assignment."""
    setattr(stmt, _IN_PLACE, True)
    return stmt


def is_in_place(stmt):
    """Is ``stmt`` the lowering of an augmented assignment ``name op= value``?"""
    return getattr(stmt, _IN_PLACE, False)


def mark_exit_test(stmt):
    """Mark ``stmt`` (``if <flag>: break`` at the end of a loop body) as the test by which the loop is left."""
    setattr(stmt, _EXIT, True)
    return stmt


def is_exit_test(stmt):
    """Is ``stmt`` the test by which the frontend leaves a loop (``if <flag>: break``, marked ``srcad_exit``)?"""
    return isinstance(stmt, ast.If) and getattr(stmt, _EXIT, False)
