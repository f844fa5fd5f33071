"""The terms of RCGAN's objective, Eq. (10) = Eq. (4) + Eq. (9), on logits.

Every function only computes; the training loop owns the updates. All terms
are written with the binary cross-entropy on logits, BCE(l, y) =
-[y log sigma(l) + (1 - y) log(1 - sigma(l))], so that

    E[log D(a)] = -BCE(l_a, 1)     and     E[log(1 - D(b))] = -BCE(l_b, 0).

Discriminator side (maximise V, i.e. minimise -V):

- Eq. (4): ``BCE(D_xz(x, E(x)), 1) + BCE(D_xz(G(z), z), 0)
  + BCE(D_xz(x_t, E(x_t)), 0)`` with x ~ q, z ~ p(z), x_t ~ t.
- Eq. (9): ``BCE(D_xx(x, x), 1) + BCE(D_xx(x, G(E(x))), 0)``.
- optional, this library's extension (``penalty_dxx``): ``+ BCE(D_xx(x_t, x_t), 0)``,
  the penalty regulariser of Eq. (4) carried over to D_xx: identity pairs
  at penalty points are fakes, so D_xx's output on (x, x) is pushed down
  where t has mass and q has little (with exact reconstruction, the fake
  pairs (x, G(E(x))) also sit on the diagonal and the pointwise optimum
  there is q / (2q + t)); it involves neither E nor G.
- ALAD's latent cycle: ``BCE(D_zz(z, z), 1) + BCE(D_zz(z, E(G(z))), 0)``.

Encoder/generator side (minimise V): the usual non-saturating form of each
term, i.e. the same cross-entropies with the labels swapped, as in ALAD's
reference code.

Does E receive gradient through the t(x) term? Yes. Eq. (4) is
``min_{E,G} max_{D_xz} V_ano`` and its third term,
``E_{x~t}[log(1 - D_xz(x, E(x)))]``, is a function of E (and not of G), so the
minimisation over E includes it: E is pushed to map penalty samples to codes
that D_xz cannot tell from the codes of normal data. This is what makes G(E(x))
of an abnormal x look normal (Fig. 1) and hence far from x. Theorem 1 holds
"given any encoder", so it does not depend on this choice. (RCALAD, a later
re-implementation, shows the penalty pairs to the discriminator only.)
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = [
    "bce_fake",
    "bce_real",
    "discriminator_xz_loss",
    "encoder_generator_pair_loss",
    "encoder_generator_xz_loss",
    "pair_discriminator_loss",
    "reconstruction_loss",
]


def bce_real(logits: torch.Tensor) -> torch.Tensor:
    """Mean BCE of ``logits`` against label 1: -E[log sigma(l)]."""
    return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))


def bce_fake(logits: torch.Tensor) -> torch.Tensor:
    """Mean BCE of ``logits`` against label 0: -E[log(1 - sigma(l))]."""
    return F.binary_cross_entropy_with_logits(logits, torch.zeros_like(logits))


def discriminator_xz_loss(
    real: torch.Tensor, fake: torch.Tensor, penalty: torch.Tensor | None = None
) -> torch.Tensor:
    """-V_ano of Eq. (4) for D_xz.

    Parameters
    ----------
    real : Tensor (B,)
        Logits D_xz(x, E(x)), x ~ q (label 1).
    fake : Tensor (B,)
        Logits D_xz(G(z), z), z ~ p(z) (label 0).
    penalty : Tensor (B,) or None
        Logits D_xz(x_t, E(x_t)), x_t ~ t(x) (label 0). None drops the third
        term of Eq. (4): Eq. (2), ALI/ALAD, the "w/o t(x)" row of Table 3.
    """
    loss = bce_real(real) + bce_fake(fake)
    if penalty is not None:
        loss = loss + bce_fake(penalty)
    return loss


def pair_discriminator_loss(
    real: torch.Tensor, fake: torch.Tensor, penalty: torch.Tensor | None = None
) -> torch.Tensor:
    """-V_cycle of Eq. (9) for D_xx (or ALAD's D_zz on latent pairs).

    ``real`` are logits of D(x, x), ``fake`` of D(x, G(E(x))), x ~ q.
    ``penalty`` (optional) are logits of D_xx(x_t, x_t), x_t ~ t(x), taken
    as fake: the penalty regulariser of Eq. (4) carried over to D_xx (see
    the module docstring). It involves neither E nor G.
    """
    loss = bce_real(real) + bce_fake(fake)
    if penalty is not None:
        loss = loss + bce_fake(penalty)
    return loss


def encoder_generator_xz_loss(
    real: torch.Tensor,
    fake: torch.Tensor,
    penalty: torch.Tensor | None = None,
    penalty_weight: float = 1.0,
) -> torch.Tensor:
    """Non-saturating (E, G) loss for Eq. (4): the labels of D_xz swapped.

    E makes (x, E(x)) look fake, G makes (G(z), z) look real, and E makes the
    penalty pairs (x_t, E(x_t)) look real (see the module docstring for why E
    gets this gradient), weighted by ``penalty_weight``.
    """
    loss = bce_fake(real) + bce_real(fake)
    if penalty is not None:
        term = bce_real(penalty)
        loss = loss + (term if penalty_weight == 1.0 else penalty_weight * term)
    return loss


def encoder_generator_pair_loss(fake: torch.Tensor) -> torch.Tensor:
    """Non-saturating (E, G) loss for Eq. (9): make D(x, G(E(x))) say real.

    The other term of Eq. (9), log D_xx(x, x), does not depend on E or G.
    """
    return bce_real(fake)


def reconstruction_loss(x: torch.Tensor, x_rec: torch.Tensor) -> torch.Tensor:
    """Mean absolute error between ``x`` and ``x_rec = G(E(x))``, per feature and row.

    The explicit form of the cycle consistency that Eq. (9) asks of D_xx
    adversarially: ALICE (Li et al., 2017), which RCGAN's Eq. (9) follows,
    offers both, the adversarial one and a direct reconstruction error. Not
    part of the paper's objective; the estimators add it to the (E, G) loss
    with weight ``reconstruction_weight`` (0: the paper's objective).
    """
    return (x - x_rec).abs().mean()
