"""Behaviour of the public callables: defaults, argument checks, options."""

import pytest

import srcad

from examples_api import scaled


def test_default_values_of_the_primal_apply_from_python():
    assert srcad.grad(scaled)(3.0) == pytest.approx(12.0)
    assert srcad.grad(scaled)(3.0, 1.0) == pytest.approx(6.0)
    assert srcad.value_and_grad(scaled, wrt=1)(3.0) == pytest.approx((18.0, 9.0))
    assert srcad.grad(scaled)(x=3.0, y=1.0) == pytest.approx(6.0)


@pytest.mark.parametrize("wrt", [2, -3, (0, 0), ()])
def test_bad_wrt_is_refused(wrt):
    with pytest.raises(srcad.SrcadError):
        srcad.grad(scaled, wrt=wrt)


def test_options():
    with pytest.raises(TypeError):
        srcad.grad(scaled, fast=True)
    with pytest.raises(srcad.SrcadError, match="target"):
        srcad.grad(scaled, target="gpu")
    for bad in (0, -3, "often", 2.5, True):
        with pytest.raises(srcad.SrcadError, match="checkpoint"):
            srcad.grad(scaled, checkpoint=bad)
    with pytest.raises(srcad.SrcadError, match="memory"):
        srcad.grad(scaled, checkpoint=4, memory="1MB")
    for bad in ("lots", "12XB", -5, 0, 1.5):
        with pytest.raises(srcad.SrcadError, match="memory"):
            srcad.grad(scaled, checkpoint="auto", memory=bad)
    assert srcad.grad(scaled, checkpoint=10)(3.0) == pytest.approx(12.0)
    assert srcad.grad(scaled, cache=False)(3.0) == pytest.approx(12.0)


def test_wrong_argument_count_and_types():
    with pytest.raises(TypeError):
        srcad.jvp(scaled)(3.0)
    with pytest.raises(srcad.SrcadError, match="str"):
        srcad.grad(scaled)(3.0, "two")
    with pytest.raises(srcad.SrcadError, match="cannot differentiate"):
        srcad.grad(scaled)(True, 1.0)
