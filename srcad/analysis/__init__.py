"""Analyses over core-form functions: types, activity, what the adjoint must record."""

from .types import ArrayType, TupleType, infer_types, type_of, is_float, join
from .activity import Activity, analyze_activity
from .tbr import RecordPlan, plan_recording

__all__ = [
    "ArrayType", "TupleType", "infer_types", "type_of", "is_float", "join",
    "Activity", "analyze_activity", "RecordPlan", "plan_recording",
]
