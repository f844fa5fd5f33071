"""Proposition 1 and Theorem 1 against a generic convex solver (CVXPY)."""

import numpy as np
import pytest

from rcgan.theory import optimal_discriminator, optimal_generator, value

cp = pytest.importorskip("cvxpy")


def random_pair(rng, n, zeros=0.0):
    q = rng.dirichlet(np.full(n, 0.7))
    t = rng.dirichlet(np.full(n, 0.7))
    if zeros:
        q[rng.random(n) < zeros] = 0
        t[rng.random(n) < zeros] = 0
        q, t = q / q.sum(), t / t.sum()
    return q, t


def solve_eq16(q, t):
    """Minimise Eq. (16) over p >= 0, sum p = 1, with a generic solver."""
    p = cp.Variable(q.shape[0], nonneg=True)
    objective = cp.sum(cp.rel_entr(t + p, t + p + q)) - q @ cp.log(t + p + q)
    problem = cp.Problem(cp.Minimize(objective), [cp.sum(p) == 1])
    problem.solve(solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
    return np.maximum(p.value, 0)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("zeros", [0.0, 0.3])
def test_theorem1_matches_convex_solver(seed, zeros):
    rng = np.random.default_rng(seed)
    q, t = random_pair(rng, 40, zeros)
    p, beta = optimal_generator(q, t)
    reference = solve_eq16(q, t)
    np.testing.assert_allclose(p, reference, atol=1e-5)
    assert 1.0 <= beta <= 2.0
    assert abs(p.sum() - 1) < 1e-12
    # Eq. (6) at the optimum is no larger than at the solver's answer or random p
    assert value(q, t, p) <= value(q, t, reference / reference.sum()) + 1e-9
    for _ in range(5):
        other = rng.dirichlet(np.ones(40))
        assert value(q, t, p) < value(q, t, other)


def test_beta_is_one_when_supports_do_not_overlap():
    q = np.array([0.5, 0.5, 0.0, 0.0])
    t = np.array([0.0, 0.0, 0.3, 0.7])
    p, beta = optimal_generator(q, t)
    assert beta == pytest.approx(1.0)
    np.testing.assert_allclose(p, q)


def test_beta_is_two_when_2q_dominates_t():
    q = np.array([0.4, 0.3, 0.2, 0.1])
    t = np.array([0.2, 0.3, 0.3, 0.2])  # 2q >= t everywhere (equal in the last cell)
    p, beta = optimal_generator(q, t)
    assert beta == pytest.approx(2.0)
    np.testing.assert_allclose(p, 2 * q - t)
    # and the converse direction: t > 2q somewhere gives beta < 2
    _, beta2 = optimal_generator(q, np.array([0.1, 0.1, 0.1, 0.7]))
    assert beta2 < 2.0


@pytest.mark.parametrize("seed", range(5))
def test_no_mass_where_t_at_least_2q(seed):
    q, t = random_pair(np.random.default_rng(100 + seed), 60, zeros=0.2)
    p, beta = optimal_generator(q, t)
    assert np.all(p[t >= 2 * q] == 0)
    # the support is exactly where beta q > t (Eq. 7)
    assert np.array_equal(p > 0, beta * q - t > 1e-15)


def test_proposition1_and_value_identity():
    q, t = random_pair(np.random.default_rng(7), 25)
    p = np.random.default_rng(8).dirichlet(np.ones(25))
    d = optimal_discriminator(q, t, p)
    np.testing.assert_allclose(d, q / (q + t + p))
    # Eq. (6) is Eq. (4) evaluated at D* (the identity behind Theorem 1)
    v4 = np.sum(q * np.log(d)) + np.sum((t + p) * np.log(1 - d))
    assert value(q, t, p) == pytest.approx(v4, abs=1e-12)
    # and D* maximises Eq. (4): any other discriminator gives less
    other = np.clip(d + 0.05 * np.random.default_rng(9).normal(size=25), 1e-6, 1 - 1e-6)
    assert np.sum(q * np.log(other)) + np.sum((t + p) * np.log(1 - other)) < v4
    # empty cells get 0
    assert optimal_discriminator([1, 0], [1, 0], [1, 0])[1] == 0


BAD = [
    (([0.5, 0.6], [0.5, 0.5]), "sum to 1"),
    (([1.5, -0.5], [0.5, 0.5]), "negative"),
    (([0.5, 0.5], [1.0]), "same shape"),
    (([np.nan, 1.0], [0.5, 0.5]), "NaN"),
    (([], []), "empty"),
]


@pytest.mark.parametrize("args,match", BAD)
def test_bad_inputs(args, match):
    with pytest.raises(ValueError, match=match):
        optimal_generator(*args)


def test_theorem1_with_the_data_adaptive_penalty():
    """Theorem 1 for t = half the data smoothed at one standard deviation, half
    wide uniform (the "adaptive" penalty), against the paper's N(0, 1), on
    four narrow modes in 1-D (scaled so that the data have unit variance)."""
    x = np.linspace(-6, 6, 1201)

    def bump(m, s):
        return np.exp(-0.5 * ((x - m) / s) ** 2)

    modes = (-1.5, -0.5, 0.5, 1.5)
    q = sum(bump(m, 0.15) for m in modes)
    q /= q.sum()
    std = np.sqrt((q * x**2).sum())
    kernel = bump(0, std) / bump(0, std).sum()
    smooth = np.convolve(q, kernel, mode="same")
    far = (np.abs(x) <= 3 * np.abs(x[q > 1e-6]).max()).astype(float)
    adaptive = 0.5 * smooth / smooth.sum() + 0.5 * far / far.sum()
    normal = bump(0, std) / bump(0, std).sum()
    between = (np.abs(np.abs(x) - 1.0) < 0.1) | (np.abs(x) < 0.1)
    weights = {}
    for name, t in (("adaptive", adaptive), ("normal", normal)):
        p, beta = optimal_generator(q, t)
        assert 1 <= beta <= 2 and np.all(p <= beta * q + 1e-12)
        assert p[between].sum() < 1e-9 < q[between].sum()  # the gaps between modes are chopped
        w = np.array([p[np.abs(x - m) < 0.3].sum() for m in modes])
        weights[name] = w.max() / w.min()
    # the data-adaptive penalty keeps the four modes' balance; N(0, 1), which sits
    # on the inner modes, takes mass from them (the Section 6 concern)
    assert weights["adaptive"] < 1.1 < 1.2 < weights["normal"]
