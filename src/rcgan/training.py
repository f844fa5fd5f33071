"""The one alternating-update training loop of RCGAN and ALAD.

Each minibatch does one discriminator step (D_xz, D_xx and, for ALAD, D_zz
together) and then one (E, G) step, on the objective of Eq. (10) written in
:mod:`rcgan.losses`. ALAD is the same loop with no penalty distribution and
with D_zz. Every gradient step of the package (this loop, the baselines'
loop, AnoGAN's latent search) goes through :func:`descend`.

Under ``torch.distributed`` (an initialised process group, e.g. from
``torchrun``), each rank trains on its shard of every epoch's permutation,
and each player (the discriminators; E and G) is wrapped in its own
``DistributedDataParallel``, so both alternating updates all-reduce their
gradients; latent and penalty draws are seeded per rank.

Speed notes: the data are one preloaded tensor indexed by a permutation per
epoch; the three D_xz inputs (data, generated and penalty pairs) go through
D_xz in one call and the two D_xx pairs in one call (the discriminators have
no batch-statistics layers, so this equals separate calls); in the (E, G)
step, ``backward(inputs=...)`` skips the discriminators' weight gradients.
In a single process each player's weights and gradients live in one flat
buffer (:class:`FlatAdam`), so Adam and the weight average are a handful of
whole-buffer operations per step instead of a few per weight tensor.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from . import losses, parallel
from .networks import Networks
from .penalties import PenaltySampler

__all__ = ["EMA", "FlatAdam", "TrainConfig", "d_xz_logits", "descend", "train"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings of :func:`train`.

    Parameters
    ----------
    epochs : int
        Full passes over the data.
    batch_size : int
        Rows per minibatch (clipped to the number of rows).
    learning_rate : float
        Adam learning rate of both players (of E and G alone when
        ``d_learning_rate`` is set).
    betas : tuple of float
        Adam betas; ALAD uses beta1 = 0.5.
    ema : float or None
        Decay of the exponential moving average of the weights used for
        scoring (ALAD: 0.999), or None for the last weights.
    penalty_xx : bool
        Also show D_xx the identity pairs (x_t, x_t) of penalty samples as
        fake (see :func:`rcgan.losses.pair_discriminator_loss`).
    max_updates : int or None
        Stop after this many alternating updates (one D step and one (E, G)
        step), even within an epoch; None: ``epochs`` full passes.
    max_seconds : float or None
        Stop after this much training time (checked after every update), a
        bound on top of the others; a run it stops is not reproducible.
    reconstruction_weight : float
        Weight of :func:`rcgan.losses.reconstruction_loss` in the (E, G)
        loss; 0 (the default) is the paper's objective.
    penalty_encoder : float
        Weight of the penalty pairs' term in the (E, G) loss (E gets the t(x)
        gradient); 0: the penalty draws reach the discriminator step only
        (the same draws are made either way).
    dxz_weight_decay : float
        Decoupled weight decay (Loshchilov and Hutter, 2019) of D_xz's weight
        matrices: in each discriminator step, after the gradient is taken and
        before Adam's update, they are multiplied by
        ``1 - discriminator_learning_rate * dxz_weight_decay``; 0 (the
        default): none.
    dxz_noise : float
        Standard deviation of Gaussian instance noise (Sønderby et al., 2017)
        added to the x of every D_xz pair in the discriminator step, in the
        scaled units; E(x) is computed on the clean rows. 0 (the default):
        none, and no draws are made.
    d_learning_rate : float or None
        Adam learning rate of the discriminators (the two time-scale update
        rule, Heusel et al., 2017); None: ``learning_rate``.
    separate_batches : bool
        Draw the (E, G) step's minibatch, z and penalty samples independently
        of the discriminator step's (a second permutation per epoch), as
        ALAD's reference loop; False: both steps see the same draws.
    """

    epochs: int
    batch_size: int
    learning_rate: float
    betas: tuple[float, float] = (0.5, 0.999)
    ema: float | None = 0.999
    penalty_xx: bool = True
    max_updates: int | None = None
    separate_batches: bool = False
    max_seconds: float | None = None
    reconstruction_weight: float = 0.0
    penalty_encoder: float = 1.0
    dxz_weight_decay: float = 0.0
    dxz_noise: float = 0.0
    d_learning_rate: float | None = None

    @property
    def discriminator_learning_rate(self) -> float:
        """The discriminators' Adam learning rate."""
        return self.learning_rate if self.d_learning_rate is None else self.d_learning_rate


class EMA:
    """Exponential moving average of a module's parameters.

    The effective decay at update t is ``min(decay, (1 + t) / (10 + t))``, so
    that short runs are not dominated by the initial weights.
    """

    def __init__(
        self,
        module: torch.nn.Module,
        decay: float,
        buffers: list[torch.Tensor] | None = None,
    ) -> None:
        self.decay = decay
        self.params = [p for p in module.parameters()]
        self.updates = 0
        if buffers is None:
            self.shadow = [p.detach().clone() for p in self.params]
            self._sources, self._targets = [p.detach() for p in self.params], self.shadow
        else:
            # flat buffers hold every parameter (FlatAdam.flat): the average
            # runs on them, one operation per buffer; shadow[i] is a view
            self._sources, self._targets = buffers, [b.clone() for b in buffers]
            self.shadow = [self._view_of_average(p) for p in self.params]

    def _view_of_average(self, p: torch.Tensor) -> torch.Tensor:
        """The part of the flat averages that belongs to parameter ``p``."""
        for buffer, target in zip(self._sources, self._targets, strict=True):
            offset = _offset_in(p, buffer)
            if offset is not None:
                return target[offset : offset + p.numel()].view_as(p)
        raise ValueError("a parameter lies in none of the flat buffers")

    @torch.no_grad()
    def update(self) -> None:
        """Move the averages towards the current parameters."""
        self.updates += 1
        decay = min(self.decay, (1 + self.updates) / (10 + self.updates))
        torch._foreach_lerp_(self._targets, self._sources, 1.0 - decay)

    @torch.no_grad()
    def copy_to_module(self, module: torch.nn.Module | None = None) -> None:
        """Overwrite the parameters with their averages.

        If ``module`` is given, spectral-norm layers in it get fresh power
        iterations afterwards: their singular-vector buffers belong to the
        last raw weights, not to the averaged ones.
        """
        for p, s in zip(self.params, self.shadow, strict=True):
            p.copy_(s)
        if module is not None:
            refresh_spectral_norm(module)


@torch.no_grad()
def refresh_spectral_norm(module: torch.nn.Module, iterations: int = 20) -> None:
    """Run power iterations of every spectral-norm layer of ``module``.

    Uses only the layers' own buffers (no random draws).
    """
    from torch.nn.utils import parametrize

    was_training = module.training
    for layer in module.modules():
        if parametrize.is_parametrized(layer, "weight"):
            layer.train()
            for _ in range(iterations):
                _ = layer.weight  # each access in training mode runs one power iteration
    module.train(was_training)


def _adam(params: list[torch.nn.Parameter], lr: float, config: TrainConfig) -> torch.optim.Adam:
    return torch.optim.Adam(params, lr=lr, betas=config.betas, foreach=True)


def _offset_in(p: torch.Tensor, buffer: torch.Tensor) -> int | None:
    """Element offset of ``p`` inside the 1-D ``buffer`` whose view it is, or None."""
    if p.untyped_storage().data_ptr() != buffer.untyped_storage().data_ptr():
        return None
    return p.storage_offset() - buffer.storage_offset()


#: elements per alignment unit of the flat buffers (16 float32 = 64 bytes)
ALIGN = 16


class FlatAdam:
    """Adam (Kingma and Ba, 2015) on parameters moved into one flat buffer.

    On construction the parameters' data become views of ``flat`` and their
    gradients views of ``grad``, so that one step is a handful of operations
    on two 1-D tensors, whatever the number of weight tensors. The update
    is Adam without weight decay or amsgrad, in the order of operations of
    ``torch.optim.Adam(foreach=True)``: m <- m + (1 - b1)(g - m),
    v <- b2 v + (1 - b2) g², p <- p - (lr / (1 - b1^t)) m / (sqrt(v) /
    sqrt(1 - b2^t) + eps). :meth:`release` gives every parameter its own
    storage back (model files refuse tensors that share memory).

    Parameters
    ----------
    params : list of Parameter
        One player's parameters (float32, one device).
    lr, betas, eps : float
        Adam's learning rate, moment decays and denominator term.
    """

    def __init__(
        self,
        params: list[torch.nn.Parameter],
        lr: float,
        betas: tuple[float, float],
        eps: float = 1e-8,
    ) -> None:
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        # each tensor starts on a 64-byte boundary, as a tensor of its own
        # would: matrix kernels may take other paths (and round differently)
        # on unaligned data; the padding stays zero (zero gradient, zero step)
        offsets, end = [], 0
        for p in self.params:
            offsets.append(end)
            end += -(-p.numel() // ALIGN) * ALIGN
        self.flat = torch.zeros(end, dtype=self.params[0].dtype, device=self.params[0].device)
        self.grad = torch.zeros_like(self.flat)
        with torch.no_grad():
            for p, offset in zip(self.params, offsets, strict=True):
                k = p.numel()
                self.flat[offset : offset + k].copy_(p.detach().reshape(-1))
                p.data = self.flat[offset : offset + k].view_as(p)
                p.grad = self.grad[offset : offset + k].view_as(p)
        self.exp_avg = torch.zeros_like(self.flat)
        self.exp_avg_sq = torch.zeros_like(self.flat)
        self._denom = torch.empty_like(self.flat)  # reused: no allocation per step
        self.steps = 0

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Zero the gradient buffer (the views stay; ``set_to_none`` is ignored)."""
        self.grad.zero_()

    @torch.no_grad()
    def step(self) -> None:
        """One Adam update of every parameter from its gradient."""
        self.steps += 1
        beta1, beta2 = self.betas
        self.exp_avg.lerp_(self.grad, 1 - beta1)
        self.exp_avg_sq.mul_(beta2).addcmul_(self.grad, self.grad, value=1 - beta2)
        step_size = (self.lr / (1 - beta1**self.steps)) * -1
        denom = torch.sqrt(self.exp_avg_sq, out=self._denom)
        denom.div_((1 - beta2**self.steps) ** 0.5).add_(self.eps)
        self.flat.addcdiv_(self.exp_avg, denom, value=step_size)

    def release(self) -> None:
        """Give each parameter its own copy of its values and drop the gradient views."""
        with torch.no_grad():
            for p in self.params:
                p.data = p.data.clone()
                p.grad = None


def d_xz_logits(nets: Networks, xs: torch.Tensor, zs: torch.Tensor, sizes: list[int]):
    """D_xz logits of the stacked pairs (data, generated, penalty), one call per kind.

    Without batch statistics the stack goes through D_xz in one call (equal
    to separate calls); with batch norm on D_xz (``dxz_batchnorm``) each
    kind of pair gets its own call and so its own statistics, as in ALAD's
    reference code.
    """
    if not nets.config.dxz_batchnorm:
        return nets.d_xz(xs, zs)
    parts = zip(xs.split(sizes), zs.split(sizes), strict=True)
    return torch.cat([nets.d_xz(x, z) for x, z in parts if x.shape[0]])


def discriminator_objective(
    nets: Networks,
    x: torch.Tensor,
    z: torch.Tensor,
    xt: torch.Tensor | None,
    penalty_xx: bool = True,
    noise: torch.Tensor | None = None,
) -> torch.Tensor:
    """-(Eq. 10) for the discriminators on one minibatch (to minimise).

    E and G run without gradient: this loss only reaches D_xz, D_xx, D_zz.
    ``xt`` are penalty samples (None: no t(x) term); ``penalty_xx`` adds the
    identity pairs (x_t, x_t) as fakes for D_xx. ``noise`` (the shape of the
    stacked D_xz inputs: data, generated, penalty rows) is added to the x of
    every D_xz pair (instance noise; see ``TrainConfig.dxz_noise``).
    """
    b = x.shape[0]
    x_xz = x if xt is None else torch.cat((x, xt))
    with torch.no_grad():
        e_xz = nets.encoder(x_xz)
        gz = nets.generator(z)
        rec = nets.generator(e_xz[:b])
        egz = nets.encoder(gz) if nets.d_zz is not None else None
    # one call per discriminator: data pairs, generated pairs, penalty pairs
    sizes = [b, b, x_xz.shape[0] - b]
    xs = torch.cat((x, gz, x_xz[b:]))
    if noise is not None:
        xs = xs + noise
    logits = d_xz_logits(nets, xs, torch.cat((e_xz[:b], z, e_xz[b:])), sizes)
    loss = losses.discriminator_xz_loss(
        logits[:b], logits[b : 2 * b], logits[2 * b :] if xt is not None else None
    )
    if xt is not None and penalty_xx:
        l_xx = nets.d_xx(torch.cat((x, x, xt)), torch.cat((x, rec, xt)))
        loss = loss + losses.pair_discriminator_loss(l_xx[:b], l_xx[b : 2 * b], l_xx[2 * b :])
    else:
        l_xx = nets.d_xx(torch.cat((x, x)), torch.cat((x, rec)))
        loss = loss + losses.pair_discriminator_loss(l_xx[:b], l_xx[b:])
    if egz is not None:
        l_zz = nets.d_zz(torch.cat((z, z)), torch.cat((z, egz)))
        loss = loss + losses.pair_discriminator_loss(l_zz[:b], l_zz[b:])
    return loss


def encoder_generator_objective(
    nets: Networks,
    x: torch.Tensor,
    z: torch.Tensor,
    xt: torch.Tensor | None,
    reconstruction_weight: float = 0.0,
    penalty_weight: float = 1.0,
) -> torch.Tensor:
    """Eq. (10) for E and G on one minibatch, non-saturating form (to minimise).

    Includes the penalty pairs (x_t, E(x_t)) when ``xt`` is given: E gets
    gradient through the t(x) term of Eq. (4) (see :mod:`rcgan.losses`).
    ``reconstruction_weight`` > 0 adds that multiple of the explicit
    reconstruction error (:func:`rcgan.losses.reconstruction_loss`);
    ``penalty_weight`` scales the penalty pairs' term.
    """
    b = x.shape[0]
    x_xz = x if xt is None else torch.cat((x, xt))
    e_xz = nets.encoder(x_xz)
    gz = nets.generator(z)
    rec = nets.generator(e_xz[:b])
    sizes = [b, b, x_xz.shape[0] - b]
    logits = d_xz_logits(
        nets, torch.cat((x, gz, x_xz[b:])), torch.cat((e_xz[:b], z, e_xz[b:])), sizes
    )
    loss = losses.encoder_generator_xz_loss(
        logits[:b], logits[b : 2 * b], logits[2 * b :] if xt is not None else None, penalty_weight
    ) + losses.encoder_generator_pair_loss(nets.d_xx(x, rec))
    if reconstruction_weight:
        loss = loss + reconstruction_weight * losses.reconstruction_loss(x, rec)
    if nets.d_zz is not None:
        loss = loss + losses.encoder_generator_pair_loss(nets.d_zz(z, nets.encoder(gz)))
    return loss


def _discriminators(nets: Networks) -> dict[str, torch.nn.Module]:
    out = {"d_xz": nets.d_xz, "d_xx": nets.d_xx}
    if nets.d_zz is not None:
        out["d_zz"] = nets.d_zz
    return out


class _Step(torch.nn.Module):
    """One player's objective as a module, so that DDP can wrap it.

    Only the player's networks are registered (they are what DDP all-reduces
    in this step); the full set of networks is held unregistered and passed
    to the objective.
    """

    def __init__(self, players: dict[str, torch.nn.Module], nets: Networks, objective) -> None:
        super().__init__()
        self.players = torch.nn.ModuleDict(players)
        object.__setattr__(self, "_nets", nets)
        object.__setattr__(self, "_objective", objective)

    def forward(self, *args) -> torch.Tensor:
        return self._objective(self._nets, *args)


def train(
    nets: Networks,
    x: torch.Tensor,
    config: TrainConfig,
    generator: torch.Generator,
    penalty: PenaltySampler | None = None,
    verbose: bool = False,
    on_epoch_end: Callable[[int, dict[str, list[float]]], bool] | None = None,
) -> dict[str, list[float]]:
    """Train ``nets`` on the rows of ``x`` by alternating updates.

    Parameters
    ----------
    nets : Networks
        E, G, D_xz, D_xx (and D_zz when ``nets.d_zz`` is set, i.e. ALAD).
    x : Tensor (n, d)
        Training data, already scaled, on the networks' device.
    config : TrainConfig
    generator : torch.Generator
        Source of the permutations, latent draws z ~ N(0, I) and penalty
        draws x_t ~ t(x); on the same device as ``x``. Dropout (and the
        initialisation, done before) use torch's global generator: the
        estimator runs this under ``torch.random.fork_rng`` with a seed.
    penalty : callable or None
        Sampler of t(x); None trains without the third term of Eq. (4).
    verbose : bool
        Show a tqdm progress bar over epochs.
    on_epoch_end : callable, optional
        Called as ``on_epoch_end(epoch, history)``; returning True stops.

    Returns
    -------
    history : dict of lists
        Mean discriminator loss ``"loss_d"`` and (E, G) loss ``"loss_eg"``
        per epoch.
    """
    n = x.shape[0]
    rank, world = parallel.rank()
    draws = generator
    if world > 1:
        # every rank draws the same permutation (from ``generator``) and trains
        # on its shard; latent and penalty draws differ per rank
        draws = torch.Generator(device=x.device)
        draws.manual_seed(generator.initial_seed() + 1_000_003 * (rank + 1))
    shard = n // world
    batch_size = max(1, min(config.batch_size, shard))
    if nets.config.dxz_batchnorm and batch_size < 2 and config.epochs > 0:
        raise ValueError(
            "dxz_batchnorm=True needs minibatches of at least 2 rows (batch statistics); "
            f"got batches of {batch_size} (batch_size={config.batch_size}, {shard} rows "
            "per process): no update could run"
        )
    players = _Players(nets, config, distributed=world > 1)
    ema = EMA(nets, config.ema, players.buffers()) if config.ema else None
    history: dict[str, list[float]] = {"loss_d": [], "loss_eg": []}
    remaining = config.max_updates  # updates left (None: no budget)
    deadline = None if config.max_seconds is None else time.perf_counter() + config.max_seconds

    epochs = range(config.epochs)
    bar = None
    if verbose:
        from tqdm.auto import tqdm

        bar = epochs = tqdm(epochs, desc="training", unit="epoch")
    nets.train()
    for epoch in epochs:

        def order() -> torch.Tensor:
            perm = torch.randperm(n, generator=generator, device=x.device)
            # equal shards: every rank takes the same number of steps
            return perm[rank::world][:shard] if world > 1 else perm

        perm = order()
        perm_eg = order() if config.separate_batches else None  # the (E, G) step's own
        batches = (
            (
                x[perm[start : start + batch_size]],
                None if perm_eg is None else x[perm_eg[start : start + batch_size]],
            )
            for start in range(0, len(perm), batch_size)
        )
        loss_d, loss_eg, done = _epoch(players, batches, draws, penalty, ema, remaining, deadline)
        if remaining is not None:
            remaining -= done
        history["loss_d"].append(loss_d)
        history["loss_eg"].append(loss_eg)
        if bar is not None:
            bar.set_postfix(loss_d=f"{loss_d:.3f}", loss_eg=f"{loss_eg:.3f}")
        logger.debug("epoch %d: loss_d=%.4f loss_eg=%.4f", epoch, loss_d, loss_eg)
        if on_epoch_end is not None and on_epoch_end(epoch, history):
            break
        if remaining == 0 or (deadline is not None and time.perf_counter() >= deadline):
            break
    if ema is not None:
        ema.copy_to_module(nets)
    players.release()
    nets.eval()
    return history


class _Players:
    """The two players, each an objective module (DDP-wrapped when distributed) and Adam."""

    def __init__(self, nets: Networks, config: TrainConfig, distributed: bool) -> None:
        self.nets, self.config = nets, config
        self.eg_params = nets.generator_parameters()
        d_params = nets.discriminator_parameters()
        self.d_step = _Step(_discriminators(nets), nets, discriminator_objective)
        self.eg_step = _Step(
            {"encoder": nets.encoder, "generator": nets.generator},
            nets,
            functools.partial(
                encoder_generator_objective,
                reconstruction_weight=float(config.reconstruction_weight),
                penalty_weight=float(config.penalty_encoder),
            ),
        )
        self.flat = not distributed and _flattenable(nets)
        lr_d = config.discriminator_learning_rate
        if distributed:
            from torch.nn.parallel import DistributedDataParallel as DDP

            self.d_step, self.eg_step = DDP(self.d_step), DDP(self.eg_step)
        if self.flat:
            # (DDP keeps torch's Adam: its reducer manages the gradients itself)
            self.opt_eg = FlatAdam(self.eg_params, config.learning_rate, config.betas)
            self.opt_d = FlatAdam(d_params, lr_d, config.betas)
        else:
            self.opt_eg = _adam(self.eg_params, config.learning_rate, config)
            self.opt_d = _adam(d_params, lr_d, config)
        # D_xz's weight matrices (not biases) shrink in each D step (descend)
        self.decay = None
        if config.dxz_weight_decay > 0:
            weights = [p for p in nets.d_xz.parameters() if p.dim() >= 2]
            self.decay = (weights, 1.0 - lr_d * config.dxz_weight_decay)

    def buffers(self) -> list[torch.Tensor] | None:
        """The flat parameter buffers of both players (None: per-tensor parameters)."""
        return [self.opt_d.flat, self.opt_eg.flat] if self.flat else None

    def release(self) -> None:
        """Give the parameters their own storage back after training (flat buffers only)."""
        if self.flat:
            self.opt_d.release()
            self.opt_eg.release()

    def update(
        self,
        xb: torch.Tensor,
        z: torch.Tensor,
        xt: torch.Tensor | None,
        eg_draws: tuple[torch.Tensor, torch.Tensor, torch.Tensor | None] | None = None,
        noise: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """One discriminator step, then one (E, G) step; the two losses.

        ``eg_draws``: the (E, G) step's own (minibatch, z, penalty samples);
        None: the discriminator step's. ``noise``: D_xz's instance noise.
        """
        # Discriminator step: maximise Eq. (10) over D_xz, D_xx (and D_zz).
        loss_d = self.d_step(xb, z, xt, self.config.penalty_xx, noise)
        descend(self.opt_d, loss_d, decay=self.decay)
        # (E, G) step: minimise Eq. (10) (non-saturating form).
        if eg_draws is not None:
            xb, z, xt = eg_draws
        loss_eg = self.eg_step(xb, z, xt if self.config.penalty_encoder > 0 else None)
        descend(self.opt_eg, loss_eg, self.eg_params)
        return loss_d, loss_eg


def _flattenable(nets: Networks) -> bool:
    """Whether both players' parameters can share flat buffers.

    Every parameter in exactly one player, all float32 on one device.
    """
    eg = list(nets.generator_parameters())
    d = list(nets.discriminator_parameters())
    every = list(nets.parameters())
    ids = {id(p) for p in eg} | {id(p) for p in d}
    if len(ids) != len(eg) + len(d) or ids != {id(p) for p in every}:
        return False
    return len({(p.dtype, p.device) for p in every}) == 1 and every[0].dtype == torch.float32


def descend(
    optimizer: torch.optim.Optimizer | FlatAdam,
    loss: torch.Tensor,
    inputs: list[torch.Tensor] | None = None,
    decay: tuple[list[torch.Tensor], float] | None = None,
) -> None:
    """One gradient step of ``optimizer`` on ``loss``.

    ``inputs`` limits the backward pass to those tensors (the other
    players' weights get no gradient); None accumulates into every leaf.
    ``decay``: (tensors, factor), tensors multiplied by factor after the
    gradient is taken and before the step, as AdamW decays its weights.
    """
    optimizer.zero_grad(set_to_none=True)
    loss.backward(inputs=inputs)
    if decay is not None:
        with torch.no_grad():
            torch._foreach_mul_(decay[0], decay[1])
    optimizer.step()


def _epoch(
    players: _Players,
    batches,
    draws: torch.Generator,
    penalty: PenaltySampler | None,
    ema: EMA | None,
    max_updates: int | None,
    deadline: float | None = None,
) -> tuple[float, float, int]:
    """One pass over ``batches``, at most ``max_updates`` of them (None: all), until ``deadline``.

    Each batch is ``(discriminator rows, (E, G) rows or None)``.

    Returns the mean discriminator and (E, G) losses and the number of updates.
    """
    latent_dim = players.nets.config.latent_dim
    sum_d = sum_eg = None
    n_batches = 0

    def draw(xb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        z = torch.randn(xb.shape[0], latent_dim, generator=draws, device=xb.device)
        xt = None
        if penalty is not None:
            xt = penalty(xb.shape[0], xb[0].numel(), draws).to(xb).view(xb.shape)
        return xb, z, xt

    batchnorm = players.nets.config.dxz_batchnorm
    for xb, xb_eg in batches:
        if max_updates is not None and n_batches >= max_updates:
            break
        if batchnorm and xb.shape[0] < 2:  # (both orders cut the same minibatch sizes)
            continue  # batch statistics need two rows: a last minibatch of one is skipped
        _, z, xt = draw(xb)
        eg_draws = None if xb_eg is None else draw(xb_eg)
        noise = None
        if players.config.dxz_noise > 0:  # data, generated and penalty rows of D_xz
            rows = 2 * xb.shape[0] + (0 if xt is None else xt.shape[0])
            noise = torch.randn((rows, *xb.shape[1:]), generator=draws, device=xb.device)
            noise.mul_(players.config.dxz_noise)
        loss_d, loss_eg = players.update(xb, z, xt, eg_draws, noise)
        if ema is not None:
            ema.update()
        sum_d = loss_d.detach() if sum_d is None else sum_d + loss_d.detach()
        sum_eg = loss_eg.detach() if sum_eg is None else sum_eg + loss_eg.detach()
        n_batches += 1
        if deadline is not None and time.perf_counter() >= deadline:
            break
    if n_batches == 0:
        return 0.0, 0.0, 0
    return float(sum_d) / n_batches, float(sum_eg) / n_batches, n_batches
