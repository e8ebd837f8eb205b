"""Tests of toolkit.keyness: weighted log-odds, chi², G², TF-IDF top terms."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from toolkit.keyness import keyness, keyness_table, tfidf_top_terms


def test_log_odds_and_z_uniform_prior_by_hand():
    # target: w1 10, w2 0 (n_i = 10); reference: w1 5, w2 5 (n_j = 10); α0 = 2 → α_w = 1
    out = keyness(np.array([10, 0]), np.array([5, 5]), prior="uniform", alpha0=2)
    d1 = math.log(11 / (10 + 2 - 10 - 1)) - math.log(6 / (10 + 2 - 5 - 1))
    d2 = math.log(1 / (10 + 2 - 0 - 1)) - math.log(6 / (10 + 2 - 5 - 1))
    assert out["log_odds"].tolist() == pytest.approx([d1, d2])
    assert d1 == pytest.approx(math.log(11))
    assert out["z"].iat[0] == pytest.approx(d1 / math.sqrt(1 / 11 + 1 / 6))
    assert out["z"].iat[1] == pytest.approx(d2 / math.sqrt(1 / 1 + 1 / 6))
    assert out["count_target"].tolist() == [10, 0]


def test_log_odds_informative_prior_by_hand():
    # prior shares from target + reference: w1 15/20, w2 5/20; α0 = 2 → α = (1.5, 0.5)
    out = keyness(np.array([10, 0]), np.array([5, 5]), prior="informative", alpha0=2)
    d1 = math.log(11.5 / (12 - 10 - 1.5)) - math.log(6.5 / (12 - 5 - 1.5))
    d2 = math.log(0.5 / (12 - 0 - 0.5)) - math.log(5.5 / (12 - 5 - 0.5))
    assert out["log_odds"].tolist() == pytest.approx([d1, d2])
    assert out["z"].iat[0] == pytest.approx(d1 / math.sqrt(1 / 11.5 + 1 / 6.5))
    assert out["p_value"].iat[0] == pytest.approx(2 * stats.norm.sf(abs(out["z"].iat[0])))


def test_chi2_and_g2_match_scipy():
    yi = np.array([30, 5, 0, 12])
    yj = np.array([10, 25, 7, 40])
    out = keyness(yi, yj)
    ni, nj = yi.sum(), yj.sum()
    for w in range(len(yi)):
        table = np.array([[yi[w], yj[w]], [ni - yi[w], nj - yj[w]]])
        chi2 = stats.chi2_contingency(table, correction=False)[0]
        expected = stats.contingency.expected_freq(table)
        g2 = stats.power_divergence(table, expected, lambda_="log-likelihood", axis=None, ddof=2)[0]
        assert out["chi2"].iat[w] == pytest.approx(chi2)
        assert out["g2"].iat[w] == pytest.approx(g2)


def test_keyness_input_checks():
    with pytest.raises(ValueError):
        keyness(np.array([1, 2]), np.array([1]))
    with pytest.raises(ValueError):
        keyness(np.array([1]), np.array([1]), prior="flat")


def _corpus():
    docs = pd.DataFrame({
        "doc_id": ["a1", "a2", "b1", "b2", "c1"],
        "district": ["Ba Đình", "Ba Đình", "Cầu Giấy", "Cầu Giấy", "Tây Hồ"],
    })
    tokens = pd.DataFrame({
        "doc_id": ["a1", "a2", "b1", "b2", "c1"],
        "tokens": [
            ["giải_phóng_mặt_bằng"] * 4 + ["dân_vận"] * 2,
            ["giải_phóng_mặt_bằng"] * 3 + ["dân_vận"] * 2 + ["tôn_giáo"],
            ["tôn_giáo"] * 5 + ["dân_vận"] * 2,
            ["chùa"] * 4 + ["dân_vận"] * 2,
            ["dân_vận"] * 3 + ["covid-19"] * 6,
        ],
    })
    return tokens, docs


def _same_named_corpus(with_province: bool = True):
    """Two Huyện Châu Thành (Bến Tre, Tiền Giang) that write about different things, and Huyện Long Phú."""
    docs = pd.DataFrame({
        "doc_id": ["b1", "b2", "t1", "t2", "s1"],
        "province": ["Bến Tre", "Bến Tre", "Tiền Giang", "Tiền Giang", "Sóc Trăng"],
        "district": ["Huyện Châu Thành"] * 4 + ["Huyện Long Phú"],
    })
    tokens = pd.DataFrame({
        "doc_id": docs["doc_id"],
        "tokens": [["dừa", "dừa", "dân_vận"], ["dừa", "dân_vận"], ["sầu_riêng"] * 3 + ["dân_vận"],
                   ["sầu_riêng", "dân_vận"], ["lúa", "lúa", "dân_vận"]],
    })
    return tokens, docs


def test_keyness_same_named_districts_are_two_groups():
    tokens, docs = _same_named_corpus()
    out = keyness_table(tokens, docs, "district", min_count=1)
    assert out["group"].unique().tolist() == ["Huyện Châu Thành, Bến Tre", "Huyện Châu Thành, Tiền Giang",
                                              "Huyện Long Phú, Sóc Trăng"]
    top = out.groupby("group").head(1).set_index("group")["term"].to_dict()
    assert top["Huyện Châu Thành, Bến Tre"] == "dừa" and top["Huyện Châu Thành, Tiền Giang"] == "sầu_riêng"
    assert tfidf_top_terms(tokens, docs, "district", n_terms=1)["group"].nunique() == 3


def test_keyness_same_named_target_must_be_qualified():
    tokens, docs = _same_named_corpus()
    out = keyness_table(tokens, docs, "district", target="Huyện Châu Thành, Tiền Giang",
                        reference="Huyện Long Phú", min_count=1)
    assert set(out["group"]) == {"Huyện Châu Thành, Tiền Giang"}
    assert out.set_index("term").loc["sầu_riêng", ["count_target", "count_reference"]].tolist() == [4, 0]
    with pytest.raises(ValueError, match="different provinces"):
        keyness_table(tokens, docs, "district", target="Huyện Châu Thành")


def test_keyness_table_each_group_vs_rest_sorted():
    tokens, docs = _corpus()
    out = keyness_table(tokens, docs, "district", min_count=1)
    assert list(out.columns) == ["group", "term", "count_target", "count_reference", "log_odds", "z", "chi2", "g2",
                                 "p_value"]
    # No province column: the groups are the districts as given.
    assert out["group"].unique().tolist() == ["Ba Đình", "Cầu Giấy", "Tây Hồ"]
    top = out.groupby("group").head(1).set_index("group")["term"].to_dict()
    assert top == {"Ba Đình": "giải_phóng_mặt_bằng", "Cầu Giấy": "tôn_giáo", "Tây Hồ": "covid-19"}
    for _, g in out.groupby("group"):
        assert g["z"].is_monotonic_decreasing
    row = out[(out["group"] == "Ba Đình") & (out["term"] == "dân_vận")].iloc[0]
    assert (row["count_target"], row["count_reference"]) == (4, 7)


def test_keyness_table_target_vs_reference_and_min_count():
    tokens, docs = _corpus()
    out = keyness_table(tokens, docs, "district", target="Ba Đình", reference="Cầu Giấy", min_count=5)
    assert set(out["group"]) == {"Ba Đình"}
    assert set(out["term"]) == {"giải_phóng_mặt_bằng", "tôn_giáo", "dân_vận"}  # chùa: 4 < 5
    row = out.set_index("term").loc["tôn_giáo"]
    assert (row["count_target"], row["count_reference"]) == (1, 5)
    with pytest.raises(ValueError):
        keyness_table(tokens, docs, "district", target="Hoàn Kiếm")


def test_tfidf_top_terms_groups_as_documents():
    tokens, docs = _corpus()
    out = tfidf_top_terms(tokens, docs, "district", n_terms=2)
    assert list(out.columns) == ["group", "term", "tfidf", "rank"]
    top = out[out["rank"] == 1].set_index("group")["term"].to_dict()
    assert top == {"Ba Đình": "giải_phóng_mặt_bằng", "Cầu Giấy": "chùa", "Tây Hồ": "covid-19"}
    assert out.groupby("group").size().tolist() == [2, 2, 2]
    # dân_vận is used by every group: lowest idf, never first
    assert "dân_vận" not in top.values()


def test_cli_keyness_and_collocations(tmp_path):
    import toolkit.cli.keyness  # noqa: F401
    from toolkit.cli import app
    from toolkit.corpus import conform, read_table, write_table

    tokens, docs = _corpus()
    docs = conform(docs.assign(title="", body="văn bản"))
    corpus = tmp_path / "docs.parquet"
    tok_path = tmp_path / "tokens.parquet"
    write_table(docs, corpus)
    write_table(tokens.assign(n_tokens=tokens["tokens"].map(len)), tok_path)
    runner = CliRunner()
    res = runner.invoke(app, ["keyness", str(corpus), "--group", "district", "--tokens", str(tok_path),
                              "--min-count", "1", "-o", str(tmp_path / "k.csv")])
    assert res.exit_code == 0, res.output
    assert read_table(tmp_path / "k.csv")["group"].nunique() == 3
    res = runner.invoke(app, ["keyness", str(corpus), "--group", "district", "--target", "Nowhere",
                              "--tokens", str(tok_path), "-o", str(tmp_path / "k2.csv")])
    assert res.exit_code != 0
    res = runner.invoke(app, ["collocations", str(corpus), "--tokens", str(tok_path), "--min-count", "2",
                              "-o", str(tmp_path / "c.csv")])
    assert res.exit_code == 0, res.output


def test_cli_keyness_same_named_districts(tmp_path):
    import toolkit.cli.keyness  # noqa: F401
    from toolkit.cli import app
    from toolkit.corpus import read_table, write_table

    tokens, docs = _same_named_corpus()
    corpus = tmp_path / "docs.csv"  # a researcher's table: no locality column
    write_table(docs.assign(title="", body="văn bản"), corpus)
    tok_path = tmp_path / "tokens.parquet"
    write_table(tokens.assign(n_tokens=tokens["tokens"].map(len)), tok_path)
    runner = CliRunner()
    res = runner.invoke(app, ["keyness", str(corpus), "--group", "district", "--tokens", str(tok_path),
                              "--min-count", "1", "-o", str(tmp_path / "k.csv")])
    assert res.exit_code == 0, res.output
    assert sorted(read_table(tmp_path / "k.csv")["group"].unique()) == [
        "Huyện Châu Thành, Bến Tre", "Huyện Châu Thành, Tiền Giang", "Huyện Long Phú, Sóc Trăng"]
    res = runner.invoke(app, ["keyness", str(corpus), "--group", "district", "--target", "Huyện Châu Thành",
                              "--tokens", str(tok_path), "-o", str(tmp_path / "k2.csv")])
    assert res.exit_code != 0 and "Huyện Châu Thành, Bến Tre" in res.output
    res = runner.invoke(app, ["keyness", str(corpus), "--group", "district", "--target", "Huyện Long Phú",
                              "--tokens", str(tok_path), "--min-count", "1", "-o", str(tmp_path / "k3.csv")])
    assert res.exit_code == 0, res.output
    assert set(read_table(tmp_path / "k3.csv")["group"]) == {"Huyện Long Phú, Sóc Trăng"}


def _places_corpus(kim_alone: int = 0):
    """Giao Thủy (Nam Định) and Đông Anh (Hà Nội) pages whose most distinctive tokens are their own names."""
    docs = pd.DataFrame({
        "doc_id": ["g1", "g2", "d1", "d2"],
        "province": ["Nam Định", "Nam Định", "Hà Nội", "Hà Nội"],
        "district": ["Huyện Giao Thủy", "Huyện Giao Thủy", "Huyện Đông Anh", "Huyện Đông Anh"],
    })
    tokens = pd.DataFrame({
        "doc_id": docs["doc_id"],
        "tokens": [
            ["giao_thủy"] * 3 + ["giao", "thủy"] * 2 + ["tôn_giáo"] * 3 + ["dân_vận"],
            ["hải_hậu", "giao_thủy", "trần_thị_hương", "tôn_giáo", "tôn_giáo", "dân_vận"],
            ["đông_anh"] * 3 + ["kim", "chung"] * 3 + ["kim"] * kim_alone + ["giải_phóng_mặt_bằng"] * 3 + ["dân"],
            ["giải_phóng_mặt_bằng", "giải_phóng_mặt_bằng", "dân_vận", "dân", "dân"],
        ],
        "persons": [[], ["Trần Thị Hương"], [], []],
    })
    return tokens, docs


@pytest.mark.parametrize("term, why", [
    ("giao_thủy", "the corpus's own district"),
    ("giao", "a syllable of the district's name"),
    ("hải_hậu", "another district of the gazetteer"),
    ("đông_anh", "the corpus's own district"),
    ("kim", "a syllable split from a commune of the district (Xã Kim Chung)"),
    ("chung", "a syllable split from a commune of the district (Xã Kim Chung)"),
    ("trần_thị_hương", "a person of the persons column"),
])
def test_keyness_leaves_out_place_and_person_names_by_default(term, why):
    tokens, docs = _places_corpus()
    default = keyness_table(tokens, docs, "district", min_count=1)
    kept = keyness_table(tokens, docs, "district", min_count=1, keep_places=True)
    assert term in set(kept["term"])
    assert term not in set(default["term"]), why
    # the analysis terms stay, and the names still count in the totals (same z either way)
    assert {"tôn_giáo", "giải_phóng_mặt_bằng", "dân_vận", "dân"} <= set(default["term"])
    both = default.merge(kept, on=["group", "term"], suffixes=("", "_kept"))
    assert np.allclose(both["z"], both["z_kept"])


def test_a_common_word_that_is_also_part_of_a_name_stays_when_mostly_used_alone():
    tokens, docs = _places_corpus(kim_alone=10)   # "kim" 13 times, 3 of them in "kim chung"
    assert "kim" in set(keyness_table(tokens, docs, "district", min_count=1)["term"])
    tokens, docs = _places_corpus(kim_alone=2)    # 5 times, 3 of them in a name
    assert "kim" not in set(keyness_table(tokens, docs, "district", min_count=1)["term"])


def test_cli_keyness_keep_places(tmp_path):
    import toolkit.cli.themes  # noqa: F401
    from toolkit.cli import app
    from toolkit.corpus import read_table, write_table

    tokens, docs = _places_corpus()
    corpus = tmp_path / "docs.csv"
    write_table(docs.assign(title="", body="văn bản"), corpus)
    tok_path = tmp_path / "tokens.parquet"
    write_table(tokens.assign(n_tokens=tokens["tokens"].map(len)), tok_path)
    runner = CliRunner()
    terms = {}
    for flag in ([], ["--keep-places"]):
        out = tmp_path / f"k{len(flag)}.csv"
        res = runner.invoke(app, ["keyness", str(corpus), "--group", "district", "--tokens", str(tok_path),
                                  "--min-count", "1", "-o", str(out), *flag])
        assert res.exit_code == 0, res.output
        terms[bool(flag)] = set(read_table(out)["term"])
    assert "giao_thủy" in terms[True] and "giao_thủy" not in terms[False]
