"""Inputs and settings at the edges: each once gave a silent or a deep failure."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import torch

import rcgan
from rcgan import RCGAN

TINY = dict(
    epochs=1,
    max_updates=5,
    encoder_hidden=(8,),
    generator_hidden=(8,),
    disc_hidden=8,
    disc_xx_hidden=(8,),
    latent_dim=2,
    random_state=0,
)


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(0).normal(size=(60, 4))


def test_batch_norm_with_one_row_batches_is_refused_not_skipped(X):
    with pytest.raises(ValueError, match="at least 2 rows"):
        RCGAN(dxz_batchnorm=True, batch_size=1, **TINY).fit(X)


def test_numpy_scalar_parameters_are_saved_as_plain_values(X, tmp_path):
    det = RCGAN(**{**TINY, "epochs": np.int64(1), "disc_hidden": np.int32(8)})
    det.set_params(learning_rate=np.float32(1e-3), generator_hidden=(np.int64(8),))
    det.fit(X).save(tmp_path / "m.rcgan")
    back = rcgan.load(tmp_path / "m.rcgan")
    assert type(back.epochs) is int and back.generator_hidden == (8,)
    np.testing.assert_array_equal(back.score_samples(X), det.score_samples(X))


def test_a_spectral_norm_model_pickles_with_the_same_scores(X):
    det = RCGAN(spectral_norm=True, **TINY).fit(X)
    state = torch.random.get_rng_state()
    back = pickle.loads(pickle.dumps(det))
    assert torch.equal(torch.random.get_rng_state(), state)  # rebuilding draws nothing
    np.testing.assert_array_equal(back.score_samples(X), det.score_samples(X))
    assert type(back.networks_.d_xz.out).__name__ != "Linear"  # still parametrised


def test_values_beyond_the_clamp_warn_and_huge_ones_still_scale(X):
    with pytest.warns(UserWarning, match="clipped"):
        RCGAN(scaler=None, **TINY).fit(X * 1e6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither overflow nor a clipping warning
        det = RCGAN(**TINY).fit(X * 1e160)
    np.testing.assert_allclose(det.preprocessor_.scale, X.std(axis=0) * 1e160, rtol=1e-12)
    assert len(np.unique(det.score_samples(X * 1e160))) == len(X)


def test_a_diverged_fit_raises_instead_of_giving_nan_scores(X):
    with pytest.raises(ValueError, match="diverged"):
        RCGAN(learning_rate=1e8, max_updates=20, random_state=0).fit(X)


def test_set_params_checks_a_fitted_contamination_first_and_defers_auto(X):
    det = RCGAN(**TINY).fit(X)
    with pytest.raises(ValueError, match="contamination"):
        det.set_params(epochs=7, contamination=5.0)
    assert det.epochs == 1  # nothing was set
    offset = det.offset_
    with pytest.warns(UserWarning, match="next fit|fitted again"):
        det.set_params(contamination="auto")
    assert det.contamination == "auto" and det.offset_ == offset
    det.fit(X)  # now fitted with calibration rows
    assert det.calibration_scores_ is not None


def test_nan_support_is_declared_only_with_imputation():
    assert RCGAN(impute="median").__sklearn_tags__().input_tags.allow_nan
    assert not RCGAN().__sklearn_tags__().input_tags.allow_nan


def test_saving_onto_a_folder_says_so(X, tmp_path):
    with pytest.raises(ValueError, match="is a folder"):
        RCGAN(**TINY).fit(X).save(tmp_path)


def test_missing_values_of_nullable_pandas_columns_are_named():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": np.arange(40.0), "b": pd.array([1, 2, None, 4] * 10, dtype="Int64")})
    with pytest.raises(ValueError, match=r"10 row\(s\) \(0-based: \[2, 6,.*\['b'\]"):
        RCGAN(**TINY).fit(frame)


def test_category_codes_fitted_as_integers_match_the_same_codes_as_floats(X):
    import pandas as pd

    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": X[:, 0], "c": pd.Categorical(rng.integers(0, 3, len(X)))})
    det = RCGAN(**TINY).fit(frame)
    assert det.categories_["c"] == ["0", "1", "2"]
    as_float = frame.assign(c=frame["c"].astype(float))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "not seen in fit" warning
        np.testing.assert_array_equal(det.score_samples(as_float), det.score_samples(frame))
    with pytest.warns(UserWarning, match=r"\['1.5'\] not seen in fit"):
        det.score_samples(as_float.assign(c=1.5))


def test_an_older_file_with_float_text_categories_still_matches(X):
    from rcgan.base import _known_key

    assert _known_key(1.0, {"1.0", "2.0"}) == "1.0"  # stored as str(1.0) before
    assert _known_key(1.0, {"1", "2"}) == "1"
    assert _known_key(np.int64(7), set()) == "7" and _known_key(True, set()) == "True"
    # integers keep their exact text at any size (no float round trip)
    assert _known_key(2**60, set()) != _known_key(2**60 + 1, set())
    assert _known_key(10**400, set()) == str(10**400) and _known_key(1e16, set()) == str(10**16)


@pytest.mark.parametrize("kind", ["datetime", "timedelta", "period"])
def test_date_and_duration_columns_are_refused_by_name(X, kind):
    import pandas as pd

    times = {
        "datetime": pd.date_range("2020-01-01", periods=len(X)),
        "timedelta": pd.to_timedelta(np.arange(len(X)), unit="s"),
        "period": pd.period_range("2020-01-01", periods=len(X), freq="D"),
    }[kind]
    frame = pd.DataFrame({"a": X[:, 0], "when": times})
    with pytest.raises(ValueError, match=r"\['when'\] hold dates or durations"):
        RCGAN(**TINY).fit(frame)
    as_objects = frame.assign(when=np.array(list(times), dtype=object))  # Python values
    with pytest.raises(ValueError, match=r"\['when'\] hold dates or durations"):
        RCGAN(**TINY).fit(as_objects)


def test_repeated_column_names_are_still_named_before_the_date_check(X):
    import pandas as pd

    with pytest.raises(ValueError, match="repeated column name"):
        RCGAN(**TINY).fit(pd.DataFrame(X[:, :2], columns=["a", "a"]))


def test_dxz_weight_decay_refuses_spectral_norm_and_a_shrink_past_zero(X):
    with pytest.raises(ValueError, match="no effect with spectral_norm"):
        RCGAN(dxz_weight_decay=1.0, spectral_norm=True, **TINY).fit(X)
    with pytest.raises(ValueError, match="must be below 1"):
        RCGAN(dxz_weight_decay=1e4, learning_rate=1e-3, **TINY).fit(X)
    RCGAN(dxz_weight_decay=10.0, **TINY).fit(X)  # the screened value trains
    # the bound is the discriminators' rate, the step the decay acts in
    with pytest.raises(ValueError, match="must be below 1"):
        RCGAN(dxz_weight_decay=500.0, learning_rate=1e-4, d_learning_rate=4e-3, **TINY).fit(X)
    RCGAN(dxz_weight_decay=500.0, learning_rate=4e-3, d_learning_rate=1e-4, **TINY).fit(X)
