"""Per-sample anomaly scores from trained networks (higher = more anomalous).

- ``"discriminator"``: Eq. (11), A(x) = 1 - D_xx(x, G(E(x))). Internally the
  score is the logit -l_xx(x, G(E(x))), a strictly increasing function of A
  (A = sigmoid(-l)), so rankings are identical but the float32 sigmoid's
  saturation at 0 and 1 cannot create ties; :func:`to_paper_scale` maps it
  back to A(x).
- ``"fm_l1"`` / ``"fm_l2"``: Eq. (12), the L1 / L2 norm of
  l_xx(x, x) - l_xx(x, G(E(x))), with l_xx the last hidden layer of D_xx
  (the paper writes L2; ALAD's reference code defaults to L1).
- ``"l1"`` / ``"l2"``: plain reconstruction error |x - G(E(x))|.
- ``"xz"``: the logit of D_xz(x, E(x)), negated: the discriminator of
  Eq. (4), whose optimum (Proposition 1) is q / ((1 + t/q) q + p), so it
  falls where the penalty t outweighs the data q.
- combined scores (:data:`COMBINED`, e.g. ``"xz+l2"``): the mean of
  component scores, each standardised by the median and interquartile range
  of its values on the training rows (:func:`score_statistics`), so that
  components on different scales weigh alike.

Scoring always runs with the networks in eval mode (dropout off) under
``torch.inference_mode``, in chunks of exactly ``CHUNK`` rows (the last one
zero-padded), so the matrix kernels see the same shapes whatever the caller's
batching: a row's score does not depend on which other rows are scored with
it (bit-identical on the machines tested; the tests allow float32 rounding).

For the MLP networks, :class:`FusedMLPScorer` evaluates Eq. (11) and (12)
with fewer multiply-adds by exact algebra (see its docstring), and
:class:`BufferedMLPScorer` every other score with the reference's own
operations into buffers kept across chunks (the same bits);
:func:`score_batch` is the plain reference that the tests compare them with.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import torch
from torch import nn

from .networks import JointDiscriminator, MLPEncoder, MLPGenerator, Networks, PairDiscriminator

__all__ = [
    "CHUNK",
    "COMBINED",
    "SCORES",
    "UNSTANDARDISED",
    "BufferedMLPScorer",
    "FusedMLPScorer",
    "anomaly_scores",
    "component_batch",
    "component_scores",
    "discriminator_outputs",
    "feature_excess",
    "range_excess",
    "score_batch",
    "score_statistics",
    "standardised_mean",
    "statistics_of",
    "to_paper_scale",
    "training_range",
    "training_statistics",
]

SCORES: dict[str, str] = {
    "discriminator": "Eq. (11): 1 - D_xx(x, G(E(x)))",
    "fm_l1": "Eq. (12) with the L1 norm on D_xx's last hidden layer",
    "fm_l2": "Eq. (12) with the L2 norm on D_xx's last hidden layer",
    "l1": "L1 reconstruction error |x - G(E(x))|_1",
    "l2": "L2 reconstruction error |x - G(E(x))|_2",
    "xz": "1 - D_xz(x, E(x)): the discriminator of Eq. (4) (Proposition 1)",
    "xz+l2": "mean of D_xz's score and the L2 reconstruction error, standardised on training rows",
    "xz+l1": "mean of D_xz's score and the L1 reconstruction error, standardised on training rows",
    "xz+d+l1": "mean of D_xz's score, Eq. (11) and the L1 error, standardised on training rows",
    "range": "how far x lies outside the training rows' per-feature range (summed; scaled space)",
    "xz+l1+range": "mean of D_xz's score and the L1 error, standardised on training rows, and "
    "the range excess",
}
#: combined scores and their components
COMBINED: dict[str, tuple[str, ...]] = {
    "xz+l2": ("xz", "l2"),
    "xz+l1": ("xz", "l1"),
    "xz+d+l1": ("xz", "discriminator", "l1"),
    "xz+l1+range": ("xz", "l1", "range"),
}
#: parts of a combined score that enter as they are, not standardised: the
#: range excess is 0 on every training row (its median and spread are 0)
UNSTANDARDISED: frozenset[str] = frozenset({"range"})
#: every standardised component of a combined score (their statistics are kept in a model)
COMPONENTS: tuple[str, ...] = tuple(
    sorted({k for parts in COMBINED.values() for k in parts} - UNSTANDARDISED)
)
#: per component score: (median, interquartile range) of its raw values on the training rows
ScoreStats = dict[str, tuple[float, float]]

CHUNK = 512
#: rows of the probe batch on which a fused scorer is checked against score_batch
PROBE_ROWS = 64

logger = logging.getLogger(__name__)


def score_batch(
    nets: Networks, x: torch.Tensor, kind: str, stats: ScoreStats | None = None
) -> torch.Tensor:
    """Raw anomaly score of each row of ``x`` (higher = more anomalous).

    ``nets`` must already be in eval mode. For ``"discriminator"`` the raw
    score is the negative D_xx logit (see :func:`to_paper_scale`). Combined
    scores need ``stats`` (see :func:`score_statistics`).
    """
    if kind in COMBINED:
        if stats is None or any(k not in stats for k in COMBINED[kind] if k not in UNSTANDARDISED):
            raise ValueError(
                f"score {kind!r} needs the training rows' statistics of {COMBINED[kind]} "
                "(a model fitted with this version of rcgan)"
            )
        return standardised_mean(component_batch(nets, x, COMBINED[kind]), stats, kind)
    return component_batch(nets, x, (kind,))[kind]


def component_batch(nets: Networks, x: torch.Tensor, kinds) -> dict[str, torch.Tensor]:
    """Raw scores of several (not combined) kinds for the rows of ``x``.

    E(x) and G(E(x)) are computed once for all ``kinds``; a kind's score is
    the same whichever other kinds come with it (the same operations on the
    same shapes). ``nets`` must already be in eval mode.
    """
    z = x_rec = None
    out = {}
    for kind in kinds:
        if kind not in SCORES or kind in COMBINED:
            raise ValueError(f"score={kind!r} is not a known score; valid names: {sorted(SCORES)}")
        if kind == "range":
            out[kind] = range_excess(x, *training_range(nets))
            continue
        z = nets.encoder(x) if z is None else z
        if kind == "xz":
            out[kind] = -nets.d_xz(x, z)
            continue
        x_rec = nets.generator(z) if x_rec is None else x_rec
        if kind == "discriminator":
            out[kind] = -nets.d_xx(x, x_rec)
        elif kind in ("fm_l1", "fm_l2"):
            _, f_real = nets.d_xx(x, x, return_features=True)
            _, f_rec = nets.d_xx(x, x_rec, return_features=True)
            out[kind] = torch.linalg.vector_norm(
                f_real - f_rec, ord=1 if kind == "fm_l1" else 2, dim=1
            )
        else:  # "l1", "l2"
            diff = (x - x_rec).flatten(1)
            out[kind] = torch.linalg.vector_norm(diff, ord=1 if kind == "l1" else 2, dim=1)
    return out


def range_excess(x: torch.Tensor, low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
    """Sum over features of how far each row of ``x`` lies outside [``low``, ``high``].

    Per feature max(0, x - high) + max(0, low - x), with ``low`` and
    ``high`` the flat per-feature minimum and maximum of the scaled
    training rows (:meth:`Networks.set_feature_range`): 0 on every training
    row. A label-free part that needs no network: it sees a row that is
    extreme on single features, which the tail compression of
    ``"standard-log"`` shrinks before the networks see it.
    """
    return feature_excess(x, low, high).sum(dim=1)


def training_range(nets: Networks) -> tuple[torch.Tensor, torch.Tensor]:
    """The per-feature (minimum, maximum) of the scaled training rows that ``nets`` keep.

    Raises ValueError for networks without them (a model file written
    before 0.8.5).
    """
    if nets.feature_low is None:
        raise ValueError(
            "the range score needs the training rows' range (a model fitted with rcgan >= 0.8.5)"
        )
    return nets.feature_low, nets.feature_high


def feature_excess(x: torch.Tensor, low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
    """Per feature, how far each row of ``x`` lies outside [``low``, ``high``]: shape (n, d).

    The terms that :func:`range_excess` sums (images flattened to one
    value per pixel).
    """
    flat = x.flatten(1)
    return torch.clamp(flat - high, min=0) + torch.clamp(low - flat, min=0)


def standardised_mean(parts: dict[str, torch.Tensor], stats: ScoreStats, kind: str) -> torch.Tensor:
    """Combined score ``kind`` from its raw components: the mean of (raw - median) / IQR.

    The parts in :data:`UNSTANDARDISED` enter raw.
    """
    return torch.stack(
        [
            parts[k] if k in UNSTANDARDISED else (parts[k] - stats[k][0]) / stats[k][1]
            for k in COMBINED[kind]
        ]
    ).mean(0)


class FusedMLPScorer:
    """Eq. (11) and Eq. (12) for MLP networks, with fewer multiply-adds.

    Two exact rewrites of the scoring graph (inference only):

    - G's output layer is linear and D_xx's first layer is linear in
      concat(x, x'), W = [W_a | W_b]. So for x' = G(E(x)) = W_g h + b_g, with h
      G's last hidden layer, W_b x' = (W_b W_g) h + W_b b_g: D_xx's first layer
      is reached from h through one (hidden x hidden) product and the
      reconstruction itself is never formed (128 x 128 instead of
      128 x 121 + 121 x 128 multiply-adds with ALAD's KDD widths).
    - Every product that reads x (E's first layer, W_a, and W_a + W_b for
      the pair (x, x) of Eq. 12) is one matrix product with stacked weights.

    The results equal :func:`score_batch` up to float32 rounding; build it
    with :meth:`checked`, which verifies that on a probe batch before it is
    used (so a change of the networks' forward pass that the rewrite does
    not follow is caught, not silently scored). Build it with the networks
    in eval mode (as :func:`anomaly_scores` does) and use it right away: the
    first-layer products are copied, the later layers are referenced, so
    further training would leave it inconsistent.
    """

    def __init__(self, nets: Networks, kind: str) -> None:
        if kind not in ("discriminator", "fm_l1", "fm_l2"):
            raise ValueError(f"FusedMLPScorer computes Eq. (11)/(12) only, not {kind!r}")
        self.kind = kind
        enc = [*nets.encoder.body, nets.encoder.out]
        dxx = list(nets.d_xx.body)
        d = nets.config.n_features
        with torch.no_grad():
            w_e, b_e = enc[0].weight.detach(), enc[0].bias.detach()
            w_1, b_1 = dxx[0].weight.detach(), dxx[0].bias.detach()
            w_a, w_b = w_1[:, :d], w_1[:, d:]
            w_g, b_g = nets.generator.out.weight.detach(), nets.generator.out.bias.detach()
            blocks, biases = [w_e, w_a], [b_e, torch.zeros_like(b_1)]
            if kind != "discriminator":
                blocks.append(w_a + w_b)
                biases.append(b_1)
            self.w_x = torch.cat(blocks).t().contiguous()
            self.b_x = torch.cat(biases)
            self.splits = [w.shape[0] for w in blocks]
            self.w_h = (w_b @ w_g).t().contiguous()
            self.b_h = b_1 + w_b @ b_g
        self.enc_rest = enc[1:]
        self.gen_body = nets.generator.body
        self.dxx_rest = dxx[1:]
        self.dxx_out = nets.d_xx.out

        def macs(modules) -> int:
            return sum(m.in_features * m.out_features for m in modules if isinstance(m, nn.Linear))

        tail = macs(self.dxx_rest) * (1 if kind == "discriminator" else 2)
        tail += macs([self.dxx_out]) if kind == "discriminator" else 0
        #: multiply-adds per scored row (for speed accounting)
        self.macs_per_row = (
            self.w_x.numel() + self.w_h.numel() + macs(self.enc_rest) + macs(self.gen_body) + tail
        )

    @staticmethod
    def supports(nets: Networks, kind: str) -> bool:
        """Whether ``nets`` and ``kind`` have the structure the rewrite needs."""
        return (
            kind in ("discriminator", "fm_l1", "fm_l2")
            and isinstance(nets.encoder, MLPEncoder)
            and isinstance(nets.generator, MLPGenerator)
            and len(nets.d_xx.body) > 0
            and isinstance(nets.d_xx.body[0], nn.Linear)
            and isinstance(nets.generator.out, nn.Linear)
        )

    @classmethod
    def checked(cls, nets: Networks, kind: str, probe: torch.Tensor) -> FusedMLPScorer | None:
        """A fused scorer if it agrees with :func:`score_batch` on ``probe``, else None.

        ``probe``: rows shaped like the ones to score (at most
        :data:`PROBE_ROWS` are used). Agreement: within float32 rounding
        (relative 1e-4 of the scores' scale). A disagreement is logged with
        its size, and the caller falls back to the reference path.
        """
        if not cls.supports(nets, kind):
            return None
        scorer = cls(nets, kind)
        probe = probe[:PROBE_ROWS]
        fused, reference = scorer(probe), score_batch(nets, probe, kind)
        tol = 1e-4 * (1.0 + float(reference.abs().max())) if reference.numel() else 0.0
        gap = float((fused - reference).abs().max()) if reference.numel() else 0.0
        if not gap <= tol:
            logger.warning(
                "fused %s scorer differs from the reference forward pass by %.3g (> %.3g); "
                "scoring with the reference path",
                kind,
                gap,
                tol,
            )
            return None
        return scorer

    def _rest(self, modules, t: torch.Tensor) -> torch.Tensor:
        for module in modules:
            t = module(t)
        return t

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Raw scores of the rows of ``x`` (as :func:`score_batch`)."""
        parts = torch.addmm(self.b_x, x, self.w_x).split(self.splits, dim=1)
        h = self.gen_body(self._rest(self.enc_rest, parts[0]))
        f_rec = self._rest(self.dxx_rest, torch.addmm(parts[1] + self.b_h, h, self.w_h))
        if self.kind == "discriminator":
            return -self.dxx_out(f_rec).squeeze(1)
        f_id = self._rest(self.dxx_rest, parts[2])
        return torch.linalg.vector_norm(f_id - f_rec, ord=1 if self.kind == "fm_l1" else 2, dim=1)


def _in_place(module: nn.Module) -> Callable[[torch.Tensor], torch.Tensor] | None:
    """The activation ``module`` applied in place (the same values), or None."""
    if isinstance(module, nn.LeakyReLU):
        slope = module.negative_slope
        return lambda t: torch.nn.functional.leaky_relu_(t, slope)
    if isinstance(module, nn.ReLU):
        return torch.relu_
    return None


class BufferedMLPScorer:
    """:func:`component_batch` for MLP networks, without its memory traffic.

    The same operations on the same values, so the same bits (the tests
    compare them with ``torch.equal``): each linear layer is the
    ``addmm(bias, input, weight.t())`` that ``nn.Linear`` runs, written into
    a buffer that is kept from one chunk to the next; leaky ReLU and ReLU
    run in place; the two inputs of D_xz's joint layer and of D_xx are
    written side by side into one buffer instead of concatenated; dropout
    (eval mode) is skipped. The plain forward pass allocates a fresh block
    per layer and chunk instead; with the buffers, the default
    ``"xz+l1+range"`` on 20,000 x 121 rows takes 0.95 of its time at the
    default widths and 0.99 at ALAD's (``benchmarks/score_buffers.py``,
    one thread; 0.92-0.97 and 0.95-1.00 over four runs): a small gain.
    Build it with the networks in eval mode and use it right away (it
    references their layers).
    """

    def __init__(self, nets: Networks, kinds) -> None:
        self.nets, self.kinds = nets, tuple(kinds)
        self._buffers: dict[object, torch.Tensor] = {}

    @staticmethod
    def supports(nets: Networks) -> bool:
        """Whether ``nets`` are the MLP networks this scorer follows."""
        d_xz = nets.d_xz
        return (
            isinstance(nets.encoder, MLPEncoder)
            and isinstance(nets.generator, MLPGenerator)
            and isinstance(d_xz, JointDiscriminator)
            and isinstance(nets.d_xx, PairDiscriminator)
            and len(d_xz.x_branch) == 2  # Linear, activation: no batch norm
            and isinstance(d_xz.x_branch[0], nn.Linear)
            and isinstance(d_xz.z_branch[0], nn.Linear)
        )

    def _buffer(self, key: object, like: torch.Tensor, width: int) -> torch.Tensor:
        out = self._buffers.get(key)
        if out is None or out.shape[0] != like.shape[0] or out.dtype != like.dtype:
            out = self._buffers[key] = like.new_empty(like.shape[0], width)
        return out

    def _linear(self, key: object, layer: nn.Linear, t: torch.Tensor, out=None) -> torch.Tensor:
        if out is None:
            out = self._buffer(key, t, layer.out_features)
        if layer.bias is None:
            return torch.mm(t, layer.weight.t(), out=out)
        return torch.addmm(layer.bias, t, layer.weight.t(), out=out)

    def _stack(self, key: object, modules, t: torch.Tensor) -> torch.Tensor:
        for i, module in enumerate(modules):
            if isinstance(module, nn.Linear):
                t = self._linear((key, i), module, t)
            elif not isinstance(module, nn.Dropout):
                act = _in_place(module)
                t = module(t) if act is None else act(t)
        return t

    def _side_by_side(self, key: object, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        both = self._buffer(key, a, a.shape[1] + b.shape[1])
        both[:, : a.shape[1]].copy_(a)
        both[:, a.shape[1] :].copy_(b)
        return both

    def _pair(self, x: torch.Tensor, other: torch.Tensor, key: str) -> tuple:
        d_xx = self.nets.d_xx
        h = self._stack((key, "body"), d_xx.body, self._side_by_side((key, "in"), x, other))
        return h, lambda: self._linear((key, "out"), d_xx.out, h).squeeze(1)

    def _xz(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        d_xz = self.nets.d_xz
        first, z_first = d_xz.x_branch[0], d_xz.z_branch[0]
        joint = self._buffer("joint_in", x, first.out_features + z_first.out_features)
        for key, branch, t, part in (
            ("xb", d_xz.x_branch, x, joint[:, : first.out_features]),
            ("zb", d_xz.z_branch, z, joint[:, first.out_features :]),
        ):
            done = self._stack(key, branch[1:], self._linear(None, branch[0], t, out=part))
            if done.data_ptr() != part.data_ptr():  # an activation that is not in place
                part.copy_(done)
        h = self._stack("joint", d_xz.joint, joint)
        return -self._linear("xz_out", d_xz.out, h).squeeze(1)

    def __call__(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Raw scores of ``self.kinds`` for the rows of ``x`` (as :func:`component_batch`)."""
        nets = self.nets
        z = x_rec = None
        out = {}
        for kind in self.kinds:
            if kind == "range":
                # |clamp(x, low, high) - x| is max(0, x - high) + max(0, low - x)
                # bit for bit (one of the two is 0; fl(a - b) = -fl(b - a))
                low, high = training_range(nets)
                excess = torch.clamp(x, low, high, out=self._buffer("range", x, x.shape[1]))
                out[kind] = excess.sub_(x).abs_().sum(dim=1)
                continue
            if z is None:
                z = self._linear("e_out", nets.encoder.out, self._stack("e", nets.encoder.body, x))
            if kind == "xz":
                out[kind] = self._xz(x, z)
                continue
            if x_rec is None:
                h = self._stack("g", nets.generator.body, z)
                x_rec = self._linear("g_out", nets.generator.out, h)
            if kind == "discriminator":
                out[kind] = -self._pair(x, x_rec, "rec")[1]()
            elif kind in ("fm_l1", "fm_l2"):
                f_real = self._pair(x, x, "id")[0]
                f_rec = self._pair(x, x_rec, "rec")[0]
                out[kind] = torch.linalg.vector_norm(
                    f_real - f_rec, ord=1 if kind == "fm_l1" else 2, dim=1
                )
            else:  # "l1", "l2"
                diff = torch.sub(x, x_rec, out=self._buffer("diff", x, x.shape[1]))
                out[kind] = torch.linalg.vector_norm(diff, ord=1 if kind == "l1" else 2, dim=1)
        return out


def anomaly_scores(
    nets: Networks,
    x: torch.Tensor,
    kind: str,
    transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
    stats: ScoreStats | None = None,
) -> torch.Tensor:
    """Raw scores of all rows of ``x``, in eval mode and fixed-size chunks.

    Parameters
    ----------
    nets : Networks
    x : Tensor (n, ...)
        Rows to score, on any device.
    kind : str
        A name in :data:`SCORES`.
    transform : callable, optional
        Applied to each chunk before the networks, e.g. the estimator's
        :meth:`rcgan.preprocessing.Preprocessor.chunk_transform` (scaling in
        the input's precision, then float32 and the image layout); without
        it, ``x`` must already be the networks' float32 input.
    stats : dict, optional
        Training-row statistics for combined scores (:func:`score_statistics`).

    Returns
    -------
    Tensor
        float64 on the CPU, shape (n,). The networks' train/eval mode is
        restored afterwards. MLP networks are scored by the fused rewrite
        of :class:`FusedMLPScorer` when it agrees with :func:`score_batch`
        on the first chunk, else by :class:`BufferedMLPScorer` (the same
        bits as :func:`score_batch`); other networks by :func:`score_batch`.
    """

    def make_scorer(probe: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        fused = FusedMLPScorer.checked(nets, kind, probe)
        if fused is not None:
            return fused
        if not BufferedMLPScorer.supports(nets):
            return lambda t: score_batch(nets, t, kind, stats)
        score_batch(nets, probe[:1], kind, stats)  # its checks: the kind, the statistics
        parts = BufferedMLPScorer(nets, COMBINED.get(kind, (kind,)))
        if kind in COMBINED:
            return lambda t: standardised_mean(parts(t), stats, kind)
        return lambda t: parts(t)[kind]

    return _chunked(nets, x, make_scorer, transform).squeeze(1)


def component_scores(nets: Networks, x: torch.Tensor, kinds) -> dict[str, torch.Tensor]:
    """Raw scores of several kinds for all rows of ``x`` in one pass.

    As :func:`anomaly_scores` (same chunks, eval mode, float64 on the CPU)
    with the reference forward pass (:func:`component_batch`, or for MLP
    networks :class:`BufferedMLPScorer`, its bits), so each kind
    equals ``anomaly_scores(nets, x, kind)`` for the kinds that have no
    fused rewrite (the components of :data:`COMBINED`).
    """
    kinds = tuple(kinds)

    def make_scorer(probe: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        component_batch(nets, probe[:1], kinds)  # its checks of the kinds
        batch = (
            BufferedMLPScorer(nets, kinds)
            if BufferedMLPScorer.supports(nets)
            else lambda t: component_batch(nets, t, kinds)
        )

        def scorer(t: torch.Tensor) -> torch.Tensor:
            parts = batch(t)
            return torch.stack([parts[k] for k in kinds], dim=1)

        return scorer

    raw = _chunked(nets, x, make_scorer, None, width=len(kinds))
    return {k: raw[:, i] for i, k in enumerate(kinds)}


def _chunked(
    nets: Networks,
    x: torch.Tensor,
    make_scorer: Callable[[torch.Tensor], Callable[[torch.Tensor], torch.Tensor]],
    transform: Callable[[torch.Tensor], torch.Tensor] | None,
    width: int = 1,
) -> torch.Tensor:
    """Apply a scorer to ``x`` in zero-padded chunks of ``CHUNK`` rows, in eval mode.

    ``make_scorer(first_rows)`` builds the scorer from the first chunk's real
    rows; it maps a (CHUNK, ...) batch to (CHUNK,) or (CHUNK, width). Returns
    float64 CPU scores of shape (n, width); the train/eval mode is restored.
    """
    was_training = nets.training
    nets.eval()
    device = next(nets.parameters()).device
    out = []
    scorer = None
    try:
        with torch.inference_mode():
            for start in range(0, x.shape[0], CHUNK):
                chunk = x[start : start + CHUNK].to(device)
                if transform is not None:
                    chunk = transform(chunk)
                n = chunk.shape[0]
                if n < CHUNK:
                    chunk = torch.cat((chunk, chunk.new_zeros((CHUNK - n, *chunk.shape[1:]))))
                if scorer is None:
                    scorer = make_scorer(chunk[:n])
                out.append(scorer(chunk)[:n].to("cpu", torch.float64).reshape(n, width))
    finally:
        nets.train(was_training)
    if not out:
        return torch.zeros((0, width), dtype=torch.float64)
    return torch.cat(out)


def score_statistics(nets: Networks, x: torch.Tensor) -> ScoreStats:
    """(median, interquartile range) of every combined score's components on ``x``.

    ``x``: the scaled training rows (network input). A zero range becomes 1.
    """
    return statistics_of(component_scores(nets, x, COMPONENTS))


def training_statistics(
    nets: Networks, x: torch.Tensor, kind: str
) -> tuple[ScoreStats, torch.Tensor | None]:
    """What a fit computes after training, in one pass over the training rows ``x``.

    Returns the statistics of :func:`score_statistics` and, when ``kind`` is
    a combined score or one of their components, the training rows' scores
    of ``kind`` (float64, equal bit for bit to ``anomaly_scores(nets, x,
    kind, stats=...)``); else None, and the caller scores ``x`` itself.
    """
    unstandardised = tuple(k for k in COMBINED.get(kind, ()) if k in UNSTANDARDISED)
    raw = component_scores(nets, x, COMPONENTS + unstandardised)
    stats = statistics_of({k: raw[k] for k in COMPONENTS})
    if kind in raw and not FusedMLPScorer.supports(nets, kind):
        # (a kind the fused rewrite scores, Eq. 11 on MLPs, differs from the
        # reference pass in the last float32 bits: the caller scores it)
        return stats, raw[kind]
    if kind in COMBINED:
        parts = {k: raw[k].float() for k in COMBINED[kind]}  # the chunks' float32 values
        return stats, standardised_mean(parts, stats, kind).double()
    return stats, None


def statistics_of(raw_scores: dict[str, torch.Tensor]) -> ScoreStats:
    """(median, interquartile range) of each kind's raw training-row scores."""
    stats: ScoreStats = {}
    for kind, raw in raw_scores.items():
        if raw.numel() == 0:
            stats[kind] = (0.0, 1.0)
            continue
        q25, q50, q75 = torch.quantile(raw, torch.tensor([0.25, 0.5, 0.75], dtype=raw.dtype))
        spread = float(q75 - q25)
        stats[kind] = (float(q50), spread if spread > 1e-12 else 1.0)
    return stats


def to_paper_scale(raw: torch.Tensor, kind: str) -> torch.Tensor:
    """Map a raw score to the paper's A(x): sigmoid for the discriminators, identity else."""
    return torch.sigmoid(raw) if kind in ("discriminator", "xz") else raw


def discriminator_outputs(nets: Networks, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """D_xz(x, E(x)) and D_xx(x, G(E(x))) as probabilities (Figure 3).

    Higher = the discriminator takes x for normal data. Eval mode, no
    gradients; float64 CPU tensors of shape (n,).
    """
    was_training = nets.training
    nets.eval()
    try:
        with torch.inference_mode():
            z = nets.encoder(x)
            d_xz = torch.sigmoid(nets.d_xz(x, z))
            d_xx = torch.sigmoid(nets.d_xx(x, nets.generator(z)))
    finally:
        nets.train(was_training)
    return {"d_xz": d_xz.to("cpu", torch.float64), "d_xx": d_xx.to("cpu", torch.float64)}
