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


def _plane_data(n=400, dim=10, seed=0):
    """Rows on a 2-d plane of a 10-d space (rank 2), the first axis the wider."""
    g = gen(seed)
    basis = torch.linalg.qr(torch.randn(dim, 2, generator=g)).Q  # orthonormal (dim, 2)
    coords = torch.randn(n, 2, generator=g) * torch.tensor([3.0, 1.0])
    return coords @ basis.T, basis


def test_adaptive_near_half_is_isotropic_noise_around_rows():
    data, basis = _plane_data()
    x = make_penalty("adaptive", 1.0, float(data.norm(dim=1).max()), data=data)(4000, 10, gen())
    near = x[:2000]
    off_plane = near - (near @ basis) @ basis.T  # the part outside the data's span
    assert abs(off_plane.pow(2).sum(1).mean().item() - 8.0) < 0.5  # N(0, I) in 8 dims


def test_adaptive_diff_moves_rows_along_the_data():
    # x_i + s (x_j - x_k) / sqrt(2) stays in the data's span, with covariance
    # (1 + s^2) Cov(data): wider along the data's wide axis, not off it
    data, basis = _plane_data()
    radius = float(data.norm(dim=1).max())
    x = make_penalty("adaptive-diff", 2.0, radius, data=data)(8000, 10, gen())
    near, far = x[:4000], x[4000:]
    coords = near @ basis
    assert (near - coords @ basis.T).abs().max() < 1e-4
    assert coords.var(0)[0].item() == pytest.approx(5 * 9.0, rel=0.1)
    assert coords.var(0)[1].item() == pytest.approx(5 * 1.0, rel=0.1)
    assert far.norm(dim=1).max() > 2 * radius  # the radial half as in "adaptive"
    # "adaptive-mix": half of the near half off the span, half on it
    mix = make_penalty("adaptive-mix", 1.0, radius, data=data)(4000, 10, gen())[:2000]
    off = (mix - (mix @ basis) @ basis.T).norm(dim=1)
    assert (off < 1e-4).float().mean().item() == pytest.approx(0.5, abs=0.01)


def test_adaptive_distinct_never_steps_by_the_difference_of_equal_rows():
    # half of the rows are one duplicated row (as in KDDCUP99): a quarter of
    # random pairs are equal, and their zero step would put t(x) on q itself
    g = gen(1)
    distinct = torch.randn(200, 4, generator=g)
    data = torch.cat((distinct, torch.zeros(200, 4)))

    def share_on_rows(name):
        x = make_penalty(name, 1.0, 10.0, data=data)(20000, 4, gen())[:10000]
        return (torch.cdist(x, data) < 1e-6).any(dim=1).float().mean().item()

    assert share_on_rows("adaptive-distinct") < 1e-3
    assert share_on_rows("adaptive-diff") == pytest.approx(0.25, abs=0.03)  # the plain draw
    # data without equal rows: the sampler draws what it drew before the redraw existed
    base = make_penalty("adaptive-distinct", 1.0, 10.0, data=distinct)
    a = base(64, 4, gen(3))
    g3 = gen(3)
    idx = torch.randint(200, (3, 32), generator=g3)
    assert not (idx[1] == idx[2]).any()  # seed 3 draws no j = k
    expected = distinct[idx[0]] + (distinct[idx[1]] - distinct[idx[2]]) / math.sqrt(2.0)
    torch.testing.assert_close(a[:32], expected)


def test_adaptive_axis_moves_one_coordinate_of_a_row_far():
    # a column the training rows never vary in gets penalty draws off it
    g = gen(2)
    data = torch.cat((torch.randn(300, 4, generator=g) * 2.0, torch.zeros(300, 1)), dim=1)
    radius = float(data.norm(dim=1).max())
    x = make_penalty("adaptive-axis", 1.0, radius, data=data)(4000, 5, gen())
    near, radial, axis = x[:2000], x[2000:3000], x[3000:]
    expected_near = make_penalty("adaptive-diff", 1.0, radius, data=data)(4000, 5, gen())[:2000]
    torch.testing.assert_close(near, expected_near)  # the near half as adaptive-diff's
    assert radial.norm(dim=1).max() > 2 * radius  # a quarter radial, as before
    # the last quarter: a training row with exactly one coordinate changed
    diff = (axis[:, None, :] - data[None, :, :]).abs()  # (1000, 300, 5)
    changed = (diff > 1e-6).sum(-1).min(1).values
    assert (changed == 1).float().mean() > 0.99
    limit = 3.0 * data.abs().max(0).values.clamp_min(1.0)
    assert (axis.abs() <= limit + data.abs().max(0).values + 1e-5).all()
    assert (axis[:, 4].abs() > 0.5).float().mean() > 0.1  # the constant column is reached


def _checked_quarters(name, data):
    """Draws of ``name``: the near half as adaptive-diff's and a radial quarter
    reaching past the data are checked; the last quarter is returned."""
    n, dim = 4000, data.shape[1]
    radius = float(data.norm(dim=1).max())
    x = make_penalty(name, 1.0, radius, data=data)(n, dim, gen())
    expected_near = make_penalty("adaptive-diff", 1.0, radius, data=data)(n, dim, gen())
    torch.testing.assert_close(x[: n // 2], expected_near[: n // 2])
    assert x[n // 2 : 3 * n // 4].norm(dim=1).max() > 2 * radius
    return x[3 * n // 4 :]


def test_adaptive_cross_combines_values_of_two_rows_off_the_data():
    # two clusters whose rows differ in every coordinate: a crossover of rows
    # from both takes each value from a training row, and the combination
    # lies between the clusters, where no training row is
    g = gen(3)
    a = torch.randn(200, 6, generator=g) * 0.1 + 2.0
    b = torch.randn(200, 6, generator=g) * 0.1 - 2.0
    data = torch.cat((a, b))
    cross = _checked_quarters("adaptive-cross", data)
    # every coordinate of a crossover draw is that coordinate of some training row
    hits = (cross[:, None, :] == data[None, :, :]).any(dim=1)
    assert hits.all()
    # about half of the pairs mix the clusters: those draws have both signs
    mixed = (cross > 0).any(dim=1) & (cross < 0).any(dim=1)
    assert mixed.float().mean().item() == pytest.approx(0.5 * (1 - 2 / 64), abs=0.05)
    assert torch.cdist(cross[mixed], data).min(dim=1).values.min() > 2.0


def test_adaptive_offcross_keeps_only_crossovers_off_the_data():
    # independent features: most crossovers fall among the rows; the kept
    # ones lie farther from the data than nine in ten training rows
    g = gen(4)
    data = torch.randn(2000, 3, generator=g)
    radius = float(data.norm(dim=1).max())
    kept = _checked_quarters("adaptive-offcross", data)
    plain = make_penalty("adaptive-cross", 1.0, radius, data=data)(4000, 3, gen())[3000:]

    def spacing(points):  # distance to the nearest training row other than itself
        d = torch.cdist(points, data)
        d[d < 1e-6] = float("inf")
        return d.min(dim=1).values

    own = spacing(data[:1000]).quantile(0.9)
    # the bank's share: every coordinate a training row's (the rest is radial)
    from_bank = kept[(kept[:, None, :] == data[None, :, :]).any(dim=1).all(dim=1)]
    assert from_bank.shape[0] > 100
    assert spacing(from_bank).median() > own
    assert spacing(plain).median() < own
    # batches too small for a crossover share (the loop's last batch) still draw
    small = make_penalty("adaptive-offcross", 1.0, radius, data=data)
    assert [small(n, 3, gen()).shape[0] for n in (0, 1, 2, 3)] == [0, 1, 2, 3]


def test_adaptive_crossaxis_splits_the_far_half_into_radial_crossover_and_axis_thirds():
    g = gen(4)
    data = torch.randn(300, 5, generator=g)
    n, dim = 3000, 5
    radius = float(data.norm(dim=1).max())
    x = make_penalty("adaptive-crossaxis", 1.0, radius, data=data)(n, dim, gen())
    near = make_penalty("adaptive-diff", 1.0, radius, data=data)(n, dim, gen())
    torch.testing.assert_close(x[: n // 2], near[: n // 2])
    far = x[n // 2 :]
    third = len(far) // 3
    radial, cross, axis = far[: len(far) - 2 * third], far[-2 * third : -third], far[-third:]
    assert radial.norm(dim=1).max() > 2 * radius
    # crossovers: every coordinate is that coordinate of a training row
    assert (cross[:, None, :] == data[None, :, :]).any(dim=1).all()
    # axis moves: a training row with exactly one coordinate changed
    same = (axis[:, None, :] == data[None, :, :]).sum(dim=2).max(dim=1).values
    assert (same == dim - 1).float().mean() > 0.99


def test_auto_scale_widens_the_near_half_only_where_it_falls_on_the_data():
    from rcgan.penalties import AUTO_ON_DATA, AUTO_SCALES, _nearest, auto_scale, data_reach

    # few rows in few features: bandwidth 1 puts most near draws among the rows
    small = torch.randn(400, 4, generator=gen(1))
    # a thin curve in 20 features: steps along it leave the curve's reach at once
    t = torch.rand(3000, 1, generator=gen(2)) * 6
    curve = torch.cat([torch.sin(t * k) for k in range(1, 21)], dim=1)
    chosen = {}
    for name, data in (("small", small), ("curve", curve)):
        scale = auto_scale("adaptive-cross", data, gen(0))
        ref, limit = data_reach(data, gen(0))
        near = make_penalty("adaptive-diff", scale, 1.0, data=data)(4000, data.shape[1], gen(5))
        share = float((_nearest(near, ref) <= limit).float().mean())
        chosen[name] = scale, share
    assert chosen["curve"][0] == AUTO_SCALES[0]
    assert chosen["small"][0] > AUTO_SCALES[0]
    # the chosen scale meets the rule on fresh draws (up to sampling noise)
    assert chosen["small"][1] <= AUTO_ON_DATA + 0.05
    # and the scale before it did not
    before = AUTO_SCALES[AUTO_SCALES.index(chosen["small"][0]) - 1]
    ref, limit = data_reach(small, gen(0))
    near = make_penalty("adaptive-diff", before, 1.0, data=small)(4000, 4, gen(5))
    assert float((_nearest(near, ref) <= limit).float().mean()) > AUTO_ON_DATA


def test_auto_scale_keeps_the_first_scale_where_duplicates_hold_the_draws_on_rows():
    from rcgan.penalties import AUTO_SCALES, auto_scale

    # half the rows are one repeated row: a step between two copies is zero at any scale
    data = torch.cat([torch.randn(500, 3, generator=gen(3)), torch.zeros(1500, 3)])
    assert auto_scale("adaptive-diff", data, gen(0)) == AUTO_SCALES[0]
