"""Transformations of core-form functions into tangent and adjoint functions."""

from .program import Program, adjoint_function, build_program, lower_tapes, tangent_function

__all__ = ["Program", "adjoint_function", "build_program", "lower_tapes", "tangent_function"]
