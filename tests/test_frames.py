"""DataFrames: text columns one-hot encoded, columns matched by name, missing values named."""

import numpy as np
import pytest

import rcgan
from rcgan import RCGAN
from rcgan.baselines import DeepSVDD

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    n = 300
    return pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "proto": rng.choice(["tcp", "udp", "icmp"], size=n),
            "b": rng.normal(size=n),
            "flag": rng.choice(["SF", "REJ"], size=n),
        }
    )


@pytest.mark.parametrize("cls", [RCGAN, DeepSVDD])
def test_text_columns_one_hot_and_saved(frame, tmp_path, cls):
    det = cls(epochs=2, random_state=0).fit(frame)
    assert det.categories_ == {"proto": ["icmp", "tcp", "udp"], "flag": ["REJ", "SF"]}
    assert det.n_features_in_ == 2 + 3 + 2
    assert "proto=tcp" in list(det.feature_names_in_)
    scores = det.score_samples(frame)
    assert np.isfinite(scores).all()
    # reordered columns give the same scores
    assert np.array_equal(det.score_samples(frame[["flag", "b", "proto", "a"]]), scores)
    det.save(tmp_path / "m.rcgan")
    again = rcgan.load(tmp_path / "m.rcgan")
    assert again.categories_ == det.categories_
    assert np.array_equal(again.score_samples(frame), scores)
    # an unseen category: a warning and all-zero encoding, never a crash
    new = frame.head(3).copy()
    new.loc[new.index[0], "proto"] = "sctp"
    with pytest.warns(UserWarning, match=r"column 'proto': value\(s\) \['sctp'\] not seen"):
        s = again.score_samples(new)
    assert np.isfinite(s).all() and np.array_equal(s[1:], scores[1:3])
    with pytest.raises(ValueError, match="one-hot encodes the text column"):
        again.score_samples(np.zeros((2, 7)))


def test_missing_values_are_named_at_fit(frame):
    bad = frame.copy()
    bad.loc[[5, 9], "b"] = np.nan
    with pytest.raises(
        ValueError,
        match=r"missing values \(NaN\) in 2 row\(s\) \(0-based: \[5, 9\]\) and column\(s\) \['b'\]",
    ):
        RCGAN(epochs=1).fit(bad)
    X = np.zeros((20, 3))
    X[3, 2] = np.nan
    with pytest.raises(ValueError, match=r"\[3\]\) and column\(s\) \['2'\]"):
        RCGAN(epochs=1).fit(X)


def test_numbers_in_object_columns_stay_numbers_and_name_clashes_are_refused():
    from decimal import Decimal

    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {"a": [Decimal(str(round(v, 3))) for v in rng.normal(size=60)], "b": rng.normal(size=60)}
    )
    det = RCGAN(epochs=1, random_state=0).fit(df)
    assert det.categories_ == {} and det.n_features_in_ == 2
    clash = pd.DataFrame({"p=tcp": rng.normal(size=20), "p": ["tcp", "udp"] * 10})
    with pytest.raises(ValueError, match=r"one-hot names \['p=tcp'\] are also column names"):
        RCGAN(epochs=1).fit(clash)


def test_a_declared_category_of_numbers_is_one_hot():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {"x": rng.normal(size=60), "zip": pd.Categorical(rng.choice([94305, 10001], 60))}
    )
    det = RCGAN(epochs=1, random_state=0).fit(df)
    assert det.categories_ == {"zip": ["10001", "94305"]} and det.n_features_in_ == 3
