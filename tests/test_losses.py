"""Each objective term against values computed by hand.

With logits l = 0, sigma(l) = 1/2 and BCE = log 2 for either label; with
l = log 3, sigma = 3/4, BCE(l, 1) = log(4/3), BCE(l, 0) = log 4.
"""

import math

import torch

from rcgan import losses

LOG2, LOG3 = math.log(2), math.log(3)


def t(*v):
    return torch.tensor(v, dtype=torch.float64)


def close(a, b):
    assert abs(float(a) - b) < 1e-12, (float(a), b)


def test_bce_on_known_logits():
    close(losses.bce_real(t(LOG3)), math.log(4 / 3))
    close(losses.bce_fake(t(LOG3)), math.log(4))
    close(losses.bce_real(t(0.0, 0.0)), LOG2)


def test_eq4_discriminator_with_and_without_penalty():
    real, fake, pen = t(LOG3), t(0.0), t(-LOG3)
    # -[log 3/4 + log 1/2 + log(1 - 1/4)]
    close(
        losses.discriminator_xz_loss(real, fake, pen),
        -(math.log(0.75) + math.log(0.5) + math.log(0.75)),
    )
    close(losses.discriminator_xz_loss(real, fake), -(math.log(0.75) + math.log(0.5)))


def test_eq4_encoder_generator_swaps_labels():
    real, fake, pen = t(LOG3), t(0.0), t(-LOG3)
    # E: -log(1 - 3/4); G: -log(1/2); E on penalty: -log(1/4)
    close(losses.encoder_generator_xz_loss(real, fake, pen), math.log(4) + LOG2 + math.log(4))
    close(losses.encoder_generator_xz_loss(real, fake), math.log(4) + LOG2)


def test_eq9_cycle_terms():
    real, fake = t(LOG3, LOG3), t(-LOG3, -LOG3)
    close(losses.pair_discriminator_loss(real, fake), 2 * math.log(4 / 3))
    close(losses.pair_discriminator_loss(real, fake, t(0.0)), 2 * math.log(4 / 3) + LOG2)
    close(losses.encoder_generator_pair_loss(fake), math.log(4))


def test_encoder_gets_gradient_through_the_penalty_term():
    """E appears in Eq. (4)'s t-term, so the (E, G) loss must depend on it."""
    pen = torch.tensor([0.5], requires_grad=True)
    losses.encoder_generator_xz_loss(t(0.0), t(0.0), pen).backward()
    # d/dl [-log sigma(l)] = sigma(l) - 1 < 0: E pushes the pair towards "real"
    assert pen.grad.item() < 0
    close(pen.grad.item(), torch.sigmoid(torch.tensor(0.5)).item() - 1)
