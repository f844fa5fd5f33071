import math

import pytest
import torch

from rcgan.penalties import PENALTIES, make_penalty


def gen(seed=0):
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def test_normal_has_the_requested_scale():
    x = make_penalty("normal", 2.0)(20000, 3, gen())
    assert x.shape == (20000, 3)
    assert abs(x.std().item() - 2.0) < 0.05
    assert abs(x.mean().item()) < 0.05


def test_uniform_range():
    x = make_penalty("uniform", 1.0)(20000, 2, gen())
    assert x.min() >= -1 and x.max() <= 1
    assert abs(x.var().item() - 1 / 3) < 0.02  # variance of U(-1, 1)


def test_normal_wide_reaches_past_the_data():
    x = make_penalty("normal-wide", 1.0, data_radius=10.0)(4000, 5, gen())
    norms = x.norm(dim=1)
    assert norms.max() > 20.0  # far half reaches up to 3 * 10
    assert norms.max() <= 30.0 + 1e-4
    assert (norms < 2 * math.sqrt(5)).float().mean() > 0.4  # near N(0, I) half


def test_draws_follow_the_generator_only():
    p = make_penalty("normal", 1.0)
    torch.manual_seed(1)
    a = p(10, 4, gen(5))
    torch.manual_seed(2)
    b = p(10, 4, gen(5))
    assert torch.equal(a, b)
    assert not torch.equal(a, p(10, 4, gen(6)))


def test_none_and_callable():
    assert make_penalty(None) is None

    def mine(n, d, g):
        return torch.zeros(n, d)

    assert make_penalty(mine) is mine


@pytest.mark.parametrize("bad", ["gauss", 3, ""])
def test_unknown_name_lists_valid_ones(bad):
    with pytest.raises(ValueError, match="valid names") as err:
        make_penalty(bad)
    for name in PENALTIES:
        assert name in str(err.value)


@pytest.mark.parametrize("scale", [0, -1, float("nan")])
def test_bad_scale(scale):
    with pytest.raises(ValueError, match="penalty_scale"):
        make_penalty("normal", scale)
