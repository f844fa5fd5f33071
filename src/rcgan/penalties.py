"""The penalty distribution t(x) of Eq. (4).

Samples x ~ t(x) are shown to D_xz as fake pairs (x, E(x)). The paper uses
N(0, I) (Tables 1-3) and compares N(0, 2I) and U(-1, 1) (Table 4); all are
meant for standardised data. A penalty is a callable
``sample(n, dim, generator) -> Tensor`` of shape (n, dim); the registry maps
names to factories that take the estimator's ``penalty_scale``.

``"normal-wide"`` is this library's answer to the weakness named in the
paper's Section 6 (t(x) covers a bounded region, so points far outside it are
not penalised): half of each draw comes from N(0, s^2 I), the other half from
a radial mixture whose radius is uniform on [0, R] with R a multiple of the
training data's largest norm, so that the penalty covers every direction out
to far beyond the data. The "adaptive" family replaces the near half by the
training rows themselves, moved by noise: isotropic N(0, s^2 I)
(``"adaptive"``), or the difference of two other random rows, whose
covariance is the data's own (``"adaptive-diff"``, :func:`_local_diff`).
The library's default since 0.8, ``"adaptive-cross"``, also replaces half
of the radial half by crossovers of two training rows (:func:`_crossover`).
See :func:`make_penalty`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

__all__ = ["PENALTIES", "PenaltySampler", "make_penalty"]

PenaltySampler = Callable[[int, int, torch.Generator], torch.Tensor]


def _normal(scale: float) -> PenaltySampler:
    def sample(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
        return scale * torch.randn(n, dim, generator=generator, device=generator.device)

    return sample


def _uniform(scale: float) -> PenaltySampler:
    def sample(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
        u = torch.rand(n, dim, generator=generator, device=generator.device)
        return scale * (2.0 * u - 1.0)

    return sample


def _radial(max_radius: float) -> PenaltySampler:
    """Uniform random direction, radius uniform on [0, max_radius]."""

    def sample(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
        direction = torch.randn(n, dim, generator=generator, device=generator.device)
        direction = direction / direction.norm(dim=1, keepdim=True).clamp_min(1e-12)
        radius = max_radius * torch.rand(n, 1, generator=generator, device=generator.device)
        return direction * radius

    return sample


def _normal_wide(scale: float, data_radius: float) -> PenaltySampler:
    near = _normal(scale)

    # Reach well past the data: 3 times its largest norm, and never less than
    # the typical norm of the near component (scale * sqrt(dim) is added at
    # sampling time, when dim is known).
    def sample(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
        far = _radial(3.0 * max(data_radius, scale * math.sqrt(dim)))
        n_far = n // 2
        return torch.cat((near(n - n_far, dim, generator), far(n_far, dim, generator)))

    return sample


def _local(data: torch.Tensor, bandwidth: float) -> PenaltySampler:
    """Training rows moved by N(0, bandwidth^2 I): t = q * N(0, h^2 I).

    By Theorem 1 the optimal generator keeps max(0, beta q - t): with t the
    data's own density smoothed at bandwidth h, that is where q is peaked
    relative to its smoothed self (the core of the data), and nothing off a
    thin manifold or between clusters, where q = 0 < t.
    """

    def sample(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
        rows = torch.randint(data.shape[0], (n,), generator=generator, device=generator.device)
        base = data[rows].reshape(n, dim).to(generator.device)
        noise = torch.randn(n, dim, generator=generator, device=generator.device)
        return base + bandwidth * noise

    return sample


#: ``"adaptive-distinct"``: rounds of redrawing the pairs (x_j, x_k) of equal rows
REDRAWS = 8


def _local_diff(data: torch.Tensor, scale: float, distinct: bool = False) -> PenaltySampler:
    """Training rows moved along the data's own directions: x_i + s (x_j - x_k) / sqrt(2).

    The difference of two random training rows has twice the data's
    covariance, so the noise has covariance s^2 Cov(q): it smooths q along
    the directions in which the data varies (and past its ends along them),
    where isotropic noise in many dimensions leaves the data's own
    directions nearly unpenalised (its mass lies at distance s sqrt(d),
    mostly off the data's span).

    A pair of equal rows (j = k, or duplicated rows: a quarter of the pairs
    of KDDCUP99's normal training rows, where one row stands for half of
    them) gives a zero step, i.e. a penalty draw on a training row itself:
    t(x) then coincides with q(x) at the data's atoms, which Section 6 of
    the paper says to avoid. With ``distinct`` (``"adaptive-distinct"``),
    such pairs are redrawn, up to :data:`REDRAWS` rounds, consuming randoms
    only when one occurs, so that the steps are differences of distinct
    rows; ``"adaptive-diff"`` keeps the plain draw.
    """

    def sample(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
        idx = torch.randint(data.shape[0], (3, n), generator=generator, device=generator.device)
        rows = data.reshape(data.shape[0], dim).to(generator.device)
        step = rows[idx[1]] - rows[idx[2]]
        for _ in range(REDRAWS if distinct else 0):
            still = (step == 0).all(dim=1).nonzero().squeeze(1)
            if still.numel() == 0:
                break
            pairs = torch.randint(
                data.shape[0], (2, still.numel()), generator=generator, device=generator.device
            )
            step[still] = rows[pairs[0]] - rows[pairs[1]]
        return rows[idx[0]] + step * (scale / math.sqrt(2.0))

    return sample


def _nearest(
    queries: torch.Tensor, rows: torch.Tensor, chunk: int = 1024, others: bool = False
) -> torch.Tensor:
    """Distance from each query to its nearest row, ``chunk`` queries at a time.

    ``others``: rows at distance 0 do not count (inf where no other row is).
    """
    out = []
    for q in queries.split(chunk):
        d = torch.cdist(q, rows)
        if others:
            d[d <= 0] = float("inf")
        out.append(d.min(dim=1).values)
    return torch.cat(out) if out else queries.new_zeros(0)


def nn_spacing(data: torch.Tensor, max_rows: int = 2000) -> float:
    """Median distance from a training row to its nearest other row.

    On at most ``max_rows`` rows (an evenly spaced subsample) against all
    rows, in chunks; the data's own length scale for :func:`make_penalty`.
    """
    n = data.shape[0]
    if n < 2:
        return 1.0
    step = max(1, n // max_rows)
    queries = data[::step][:max_rows].to(torch.float32)
    # other rows only: not the row itself (nor exact duplicates)
    spacing = _nearest(queries, data.to(torch.float32), chunk=256, others=True)
    spacing = spacing[torch.isfinite(spacing)]
    return float(spacing.median()) if spacing.numel() else 1.0


def _axis(data: torch.Tensor, reach: float = 3.0) -> PenaltySampler:
    """Training rows with one random coordinate moved far: x_i + u e_j.

    u is uniform on (-reach M_j, reach M_j), M_j the largest |value| of
    coordinate j on the training rows (at least 1). Such a draw is far out
    along one feature and ordinary in the others: the anomaly of one
    unusual value, which neither random directions (little weight on any one
    coordinate in many dimensions) nor differences of training rows (zero
    along a feature the rows almost never vary in) reach.
    """
    rows = data.reshape(data.shape[0], -1)
    limit = reach * rows.abs().max(0).values.clamp_min(1.0)

    def sample(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
        device = generator.device
        idx = torch.randint(rows.shape[0], (n,), generator=generator, device=device)
        j = torch.randint(dim, (n,), generator=generator, device=device)
        u = (2.0 * torch.rand(n, generator=generator, device=device) - 1.0) * limit.to(device)[j]
        out = rows.to(device)[idx].clone()
        out[torch.arange(n, device=device), j] += u
        return out

    return sample


def _crossover(data: torch.Tensor) -> PenaltySampler:
    """Training rows with each coordinate, with probability 1/2, taken from another row.

    The uniform crossover of two random training rows x_i, x_j: every value
    of such a draw occurs in the training data, but the combination need
    not. Where the features depend on each other (clusters, a manifold) the
    draws fall off the data between its parts, the case of rows whose values
    are each ordinary and whose combination is not (KDDCUP99's anomalies
    take, per feature, values that 0.6-30 % of the training rows take, ten
    such features at once, where a training row has none). Where the
    features are independent the draws follow the data itself, which only
    lowers D_xz uniformly there.
    """
    rows = data.reshape(data.shape[0], -1)

    def sample(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
        device = generator.device
        idx = torch.randint(rows.shape[0], (2, n), generator=generator, device=device)
        take = torch.rand(n, dim, generator=generator, device=device) < 0.5
        source = rows.to(device)
        return torch.where(take, source[idx[1]], source[idx[0]])

    return sample


#: ``"adaptive-offcross"``: rows of the reference set, probe rows, crossovers
#: kept in the bank, and candidates drawn per kept one
OFFCROSS_REFERENCE, OFFCROSS_PROBES, OFFCROSS_BANK, OFFCROSS_TRIES = 4000, 1000, 4096, 8


def data_reach(
    rows: torch.Tensor, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor] | None:
    """Reference rows and the distance within which a point counts as on the data.

    ``rows`` (float32, CPU) are split at random (``generator``) into up to
    4,000 reference rows and up to 1,000 others; the limit is the 90th
    percentile of the others' distance to their nearest reference row. None
    when there are too few rows for both.
    """
    order = torch.randperm(rows.shape[0], generator=generator, device=generator.device).cpu()
    n_ref = min(OFFCROSS_REFERENCE, max(1, rows.shape[0] // 2))
    ref, probes = rows[order[:n_ref]], rows[order[n_ref : n_ref + OFFCROSS_PROBES]]
    if probes.shape[0] == 0:
        return None
    return ref, torch.quantile(_nearest(probes, ref), 0.9)


#: ``penalty_scale="auto"``: the scales tried, smallest first, and the share
#: of the near half's draws allowed to fall on the data
AUTO_SCALES, AUTO_ON_DATA, AUTO_DRAWS = (1.0, 1.5, 2.0, 3.0), 0.25, 2000
#: the penalties whose near half ``penalty_scale="auto"`` can set
AUTO_PENALTIES = frozenset(
    {
        "adaptive",
        "local",
        "adaptive-mix",
        "adaptive-diff",
        "adaptive-distinct",
        "adaptive-axis",
        "adaptive-cross",
        "adaptive-offcross",
        "adaptive-crossaxis",
    }
)


def near_sampler(penalty: str, data: torch.Tensor, scale: float) -> PenaltySampler:
    """The near half of an ``"adaptive"``-family penalty at bandwidth ``scale``."""
    if penalty in ("adaptive", "local"):
        return _local(data, scale)
    if penalty == "adaptive-mix":
        iso, diff = _local(data, scale), _local_diff(data, scale)

        def mix(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
            return torch.cat((iso(n - n // 2, dim, generator), diff(n // 2, dim, generator)))

        return mix
    return _local_diff(data, scale, penalty == "adaptive-distinct")


def auto_scale(penalty: str, data: torch.Tensor, generator: torch.Generator) -> float:
    """The smallest bandwidth at which the near half mostly lies off the data.

    Section 6 of the paper asks that t(x) not sit where q(x) does: then D_xz
    learns to call fake the normal rows the penalty covers, and Eq. (4)'s
    q / (q + t) is near 1/2 on the data instead of 1. Of
    :data:`AUTO_SCALES`, the first whose near-half draws
    (:func:`near_sampler`) fall within the data's reach
    (:func:`data_reach`: nearer a reference row than nine in ten training
    rows are) at most :data:`AUTO_ON_DATA` of the time; the first scale
    where none does (the data's duplicates put the draws on rows at any
    scale, as on KDDCUP99). Few features and few rows put the draws of
    bandwidth 1 on the data (Thyroid, 6 features: about half of them),
    many features or many rows put them off it (optdigits: 4 %).
    """
    rows = data.reshape(data.shape[0], -1).to(torch.float32).cpu()
    reach = data_reach(rows, generator)
    if reach is None:
        return AUTO_SCALES[0]
    ref, limit = reach
    for scale in AUTO_SCALES:
        draws = near_sampler(penalty, rows, scale)(AUTO_DRAWS, rows.shape[1], generator)
        if float((_nearest(draws, ref) <= limit).float().mean()) <= AUTO_ON_DATA:
            return scale
    return AUTO_SCALES[0]


def _off_crossover(data: torch.Tensor, fallback: PenaltySampler) -> PenaltySampler:
    """Crossovers of two training rows that lie off the data, from a bank built once.

    On the first call, with the training generator: the rows are split into
    a reference set and probe rows; a crossover (:func:`_crossover`) is kept
    if its distance to the nearest reference row exceeds the 90th percentile
    of the probe rows' own distances to it, i.e. if it lies farther from the
    data than nine in ten training rows do. Where the features are
    independent (crossovers on the data) few are kept, and ``fallback``
    (the radial draws) stands in for the missing share of each draw.
    """
    rows = data.reshape(data.shape[0], -1).to(torch.float32)
    cross = _crossover(rows)
    bank: list[torch.Tensor] = []

    def build(generator: torch.Generator) -> torch.Tensor:
        reach = data_reach(rows, generator)
        if reach is None:
            return rows.new_zeros(0, rows.shape[1])
        ref, limit = reach
        candidates = cross(OFFCROSS_BANK * OFFCROSS_TRIES, rows.shape[1], generator).cpu()
        kept = candidates[_nearest(candidates, ref) > limit]
        return kept[:OFFCROSS_BANK]

    def sample(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
        if not bank:
            bank.append(build(generator))
        kept = bank[0]
        device = generator.device
        # the share of draws the bank can fill: its fill rate of candidates
        n_bank = min(n, round(n * kept.shape[0] / OFFCROSS_BANK))
        parts = []
        if n_bank > 0:
            idx = torch.randint(kept.shape[0], (n_bank,), generator=generator, device=device)
            parts.append(kept.to(device)[idx])
        if n - n_bank > 0 or not parts:
            parts.append(fallback(n - n_bank, dim, generator))
        return torch.cat(parts)

    return sample


def _halves(first: PenaltySampler, second: PenaltySampler) -> PenaltySampler:
    """Draws of which the first half (rounded up) comes from ``first``, the rest from ``second``."""

    def sample(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
        half = n // 2
        return torch.cat((first(n - half, dim, generator), second(half, dim, generator)))

    return sample


def _adaptive(
    data: torch.Tensor,
    scale: float,
    data_radius: float,
    along_data: str = "none",
    distinct: bool = False,
    far_extra: str | None = None,
) -> PenaltySampler:
    """Half near the data, half radial out to 3x the largest norm.

    ``along_data``: the near half is isotropic (``"none"``), moved along the
    data's directions (``"all"``, :func:`_local_diff`), or half of each
    (``"half"``). ``far_extra``: half of the far half is :func:`_axis`
    (``"axis"``), :func:`_crossover` (``"crossover"``) or
    :func:`_off_crossover` (``"off-crossover"``) instead; with
    ``"crossover+axis"`` the far half is a third each of radial draws,
    crossovers and axis moves.
    """
    iso, diff = _local(data, scale), _local_diff(data, scale, distinct)
    width = data.reshape(data.shape[0], -1).shape[1]
    radial = _radial(3.0 * max(data_radius, scale * math.sqrt(width)))
    extras = {
        "axis": lambda: _axis(data),
        "crossover": lambda: _crossover(data),
        "off-crossover": lambda: _off_crossover(data, radial),
        "crossover+axis": lambda: _halves(_crossover(data), _axis(data)),
    }
    extra = extras[far_extra]() if far_extra else None

    def local(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
        if along_data == "none":
            return iso(n, dim, generator)
        if along_data == "all":
            return diff(n, dim, generator)
        n_diff = n // 2
        return torch.cat((iso(n - n_diff, dim, generator), diff(n_diff, dim, generator)))

    def sample(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
        n_far = n // 2
        if extra is None:
            return torch.cat((local(n - n_far, dim, generator), radial(n_far, dim, generator)))
        n_extra = 2 * (n_far // 3) if far_extra == "crossover+axis" else n_far // 2
        return torch.cat(
            (
                local(n - n_far, dim, generator),
                radial(n_far - n_extra, dim, generator),
                extra(n_extra, dim, generator),
            )
        )

    return sample


def _needs_data(name: str) -> PenaltySampler:
    def sample(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
        raise ValueError(f"penalty={name!r} samples around the training rows: pass data=")

    return sample


PENALTIES: dict[str, str] = {
    "normal": "N(0, s^2 I), s = penalty_scale (the paper's choice with s = 1)",
    "uniform": "U(-s, s) per coordinate (Table 4 uses s = 1)",
    "normal-wide": "half N(0, s^2 I), half radial out to 3x the data's largest norm",
    "local": "training rows plus N(0, s^2 I) noise (the data smoothed at bandwidth s)",
    "adaptive": "half training rows plus N(0, s^2 I), half radial out to 3x the largest norm",
    "local-nn": "training rows plus noise of norm about s times the data's nearest-row spacing",
    "adaptive-nn": "half local-nn, half radial out to 3x the data's largest norm",
    "adaptive-diff": "as adaptive, the near half moved by s (x_j - x_k) / sqrt(2) of random rows",
    "adaptive-mix": "as adaptive, the near half half isotropic, half as adaptive-diff",
    "adaptive-distinct": "as adaptive-diff, pairs of equal rows (a zero step) redrawn",
    "adaptive-axis": "as adaptive-diff, half the far half one coordinate of a row moved far",
    "adaptive-cross": "as adaptive-diff, half the far half crossovers of two training rows",
    "adaptive-offcross": "as adaptive-cross, only crossovers that lie off the data",
    "adaptive-crossaxis": "as adaptive-diff, the far half radial, crossovers and axis moves",
}


_ALONG_DATA = (
    "adaptive-diff",
    "adaptive-mix",
    "adaptive-distinct",
    "adaptive-axis",
    "adaptive-cross",
    "adaptive-offcross",
    "adaptive-crossaxis",
)


def make_penalty(
    penalty: str | PenaltySampler | None,
    scale: float = 1.0,
    data_radius: float = 0.0,
    data: torch.Tensor | None = None,
) -> PenaltySampler | None:
    """Resolve the estimator's ``penalty`` parameter into a sampler.

    Parameters
    ----------
    penalty : {"normal", "uniform", "normal-wide"}, callable or None
        A registry name, a callable ``(n, dim, generator) -> Tensor``, or None
        for the ablation without t(x) (Table 3).
    scale : float
        ``penalty_scale``: standard deviation of "normal", half-width of
        "uniform".
    data_radius : float
        Largest Euclidean norm of a scaled training row ("normal-wide",
        "adaptive").
    data : Tensor, optional
        The scaled training rows ("local", "adaptive"); needed to sample,
        not to validate the name.

    Returns
    -------
    sampler or None

    Raises
    ------
    ValueError
        For an unknown name or a non-positive scale.
    """
    if penalty is None:
        return None
    if callable(penalty):
        return penalty
    if not isinstance(penalty, str) or penalty not in PENALTIES:
        raise ValueError(
            f"penalty={penalty!r} is not a known penalty distribution; valid names: "
            f"{sorted(PENALTIES)}, a callable (n, dim, generator) -> Tensor, or None"
        )
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"penalty_scale must be a positive number, got {scale!r}")
    if penalty == "normal":
        return _normal(float(scale))
    if penalty == "uniform":
        return _uniform(float(scale))
    if penalty == "normal-wide":
        return _normal_wide(float(scale), float(data_radius))
    if data is None:
        return _needs_data(penalty)
    if penalty == "local":
        return _local(data, float(scale))
    if penalty == "adaptive":
        return _adaptive(data, float(scale), float(data_radius))
    if penalty in _ALONG_DATA:
        along = "half" if penalty == "adaptive-mix" else "all"
        distinct = penalty == "adaptive-distinct"
        extra = {
            "adaptive-axis": "axis",
            "adaptive-cross": "crossover",
            "adaptive-offcross": "off-crossover",
            "adaptive-crossaxis": "crossover+axis",
        }.get(penalty)
        return _adaptive(data, float(scale), float(data_radius), along, distinct, extra)
    bandwidth = float(scale) * nn_spacing(data) / math.sqrt(max(data[0].numel(), 1))
    if penalty == "local-nn":
        return _local(data, bandwidth)
    return _adaptive(data, bandwidth, float(data_radius))
