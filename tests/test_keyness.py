"""Tests of toolkit.keyness: weighted log-odds, chi², G², TF-IDF top terms."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from toolkit.keyness import iter_keyness, keyness, keyness_table, tfidf_top_terms


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
                                 "p_value", "n_docs", "small_group"]
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
            ["hải_hậu", "giao_thủy", "trần_thị_hương", "tôn_giáo", "tôn_giáo", "dân_vận", "tp", "hcm"],
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
    ("hcm", "Ho Chi Minh City as the press abbreviates it (TP.HCM)"),
])
def test_keyness_leaves_out_place_and_person_names_by_default(term, why):
    tokens, docs = _places_corpus()
    # the TF-IDF top terms too (weighed, not reported)
    assert term in set(tfidf_top_terms(tokens, docs, "district", n_terms=50, min_df=1, keep_places=True)["term"])
    assert term not in set(tfidf_top_terms(tokens, docs, "district", n_terms=50, min_df=1)["term"]), why
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


# --------------------------------------------------------------------------
# Sized by what a reader can use: top terms per group, small groups, the full table streamed
# --------------------------------------------------------------------------

SYLLABLES = ["dân", "vận", "chùa", "lúa", "dừa", "đường", "hội", "nghị", "thủy", "lợi", "hòa", "giải", "ủy", "ban"]


def _random_corpus(n_groups: int, n_docs: int, random_state: int, n_terms: int = 40, doc_len: int = 12):
    """Documents spread over groups (a few with one or two documents), terms with many tied counts."""
    rng = np.random.default_rng(random_state)
    terms = [f"{SYLLABLES[i % len(SYLLABLES)]}_{SYLLABLES[(i // len(SYLLABLES)) % len(SYLLABLES)]}{i}"
             for i in range(n_terms)]
    groups = [f"Huyện {SYLLABLES[g % len(SYLLABLES)].capitalize()} {g}" for g in range(n_groups)]
    weights = np.linspace(1.0, 0.05, n_groups)
    assign = rng.choice(n_groups, size=n_docs, p=weights / weights.sum())
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(n_docs)], "district": [groups[g] for g in assign]})
    # Each group prefers a few terms; small integer counts give many ties in z.
    prefs = rng.dirichlet(np.full(n_terms, 0.3), size=n_groups)
    tokens = pd.DataFrame({"doc_id": docs["doc_id"],
                           "tokens": [list(rng.choice(terms, size=doc_len, p=prefs[g])) for g in assign]})
    return tokens, docs


def _head_per_group(full: pd.DataFrame, n: int) -> pd.DataFrame:
    return full.groupby("group", sort=False).head(n).reset_index(drop=True)


@pytest.mark.parametrize("top_n, min_count, prior, seed", [
    (1, 1, "informative", 0),
    (3, 1, "informative", 1),
    (5, 5, "informative", 2),
    (5, 1, "uniform", 3),
    (12, 2, "uniform", 4),
    (39, 1, "informative", 5),   # nearly the whole vocabulary
    (500, 1, "informative", 6),  # more than the vocabulary: the full table
])
def test_top_n_is_the_top_of_the_full_table(top_n, min_count, prior, seed):
    tokens, docs = _random_corpus(n_groups=9, n_docs=60, random_state=seed)
    full = keyness_table(tokens, docs, "district", min_count=min_count, prior=prior)
    top = keyness_table(tokens, docs, "district", min_count=min_count, prior=prior, top_n=top_n)
    expected = _head_per_group(full, top_n)
    pd.testing.assert_frame_equal(top, expected)
    assert top.groupby("group").size().max() <= top_n
    assert len(full) > len(top) or top_n >= 39


def test_top_n_breaks_ties_at_the_cut_by_the_term():
    # Four terms used once by the target and never elsewhere: the same z; the cut falls inside the tie.
    docs = pd.DataFrame({"doc_id": ["a", "b"], "district": ["Quận Ba Đình", "Quận Tây Hồ"]})
    tokens = pd.DataFrame({"doc_id": ["a", "b"],
                           "tokens": [["đình", "chùa", "ao", "bến", "dân_vận"], ["dân_vận", "hồ", "hồ"]]})
    top = keyness_table(tokens, docs, "district", min_count=1, top_n=2)
    assert top[top["group"] == "Quận Ba Đình"]["term"].tolist() == sorted(["đình", "chùa", "ao", "bến"])[:2]


def test_top_n_with_target_and_reference():
    tokens, docs = _random_corpus(n_groups=4, n_docs=30, random_state=11)
    groups = sorted(docs["district"].unique())
    full = keyness_table(tokens, docs, "district", target=groups[0], reference=groups[1], min_count=1)
    top = keyness_table(tokens, docs, "district", target=groups[0], reference=groups[1], min_count=1, top_n=4)
    pd.testing.assert_frame_equal(top, full.head(4))


@pytest.mark.parametrize("top_n", [0, -3])
def test_top_n_must_be_positive(top_n):
    tokens, docs = _corpus()
    with pytest.raises(ValueError, match="top_n"):
        keyness_table(tokens, docs, "district", top_n=top_n)


@pytest.mark.parametrize("min_docs, small", [
    (1, set()),
    (2, {"Tây Hồ"}),
    (3, {"Ba Đình", "Cầu Giấy", "Tây Hồ"}),
])
def test_small_groups_are_flagged_not_dropped(min_docs, small):
    tokens, docs = _corpus()  # Ba Đình 2 documents, Cầu Giấy 2, Tây Hồ 1
    out = keyness_table(tokens, docs, "district", min_count=1, top_n=2, min_docs=min_docs)
    assert set(out["group"]) == {"Ba Đình", "Cầu Giấy", "Tây Hồ"}
    per_group = out.groupby("group")[["n_docs", "small_group"]].agg(["min", "max"])
    assert per_group[("n_docs", "min")].to_dict() == {"Ba Đình": 2, "Cầu Giấy": 2, "Tây Hồ": 1}
    assert (per_group[("n_docs", "min")] == per_group[("n_docs", "max")]).all()
    assert set(out.loc[out["small_group"], "group"]) == small
    # Flagging changes no statistic: the small group's documents still count in the others' "rest".
    base = keyness_table(tokens, docs, "district", min_count=1, top_n=2, min_docs=1)
    pd.testing.assert_frame_equal(out.drop(columns="small_group"), base.drop(columns="small_group"))


def test_n_docs_counts_documents_of_the_group_not_tokens():
    tokens, docs = _same_named_corpus()
    out = keyness_table(tokens, docs, "district", min_count=1, top_n=1)
    assert out.set_index("group")["n_docs"].to_dict() == {
        "Huyện Châu Thành, Bến Tre": 2, "Huyện Châu Thành, Tiền Giang": 2, "Huyện Long Phú, Sóc Trăng": 1}


def test_year_groups_keep_their_type():
    tokens, docs = _corpus()
    docs = docs.assign(year=[2019, 2019, 2020, 2021, 2021])
    out = keyness_table(tokens, docs, "year", min_count=1, top_n=2)
    assert out["group"].tolist()[:1] == [2019] and out["group"].dtype.kind == "i"
    assert out["group"].is_monotonic_increasing


def test_iter_keyness_parts_concatenate_to_the_table():
    tokens, docs = _random_corpus(n_groups=7, n_docs=50, random_state=3)
    for top_n in (None, 3):
        parts = list(iter_keyness(tokens, docs, "district", min_count=2, top_n=top_n))
        assert all(p["group"].nunique() == 1 for p in parts)
        assert [p["group"].iat[0] for p in parts] == sorted(p["group"].iat[0] for p in parts)
        pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True),
                                      keyness_table(tokens, docs, "district", min_count=2, top_n=top_n))


def _many_groups(n_groups: int, n_terms: int, random_state: int = 0):
    """Two documents per group; every term of the vocabulary used somewhere (sparse: ~30 terms a document)."""
    rng = np.random.default_rng(random_state)
    terms = np.array([f"từ_{j}" for j in range(n_terms)], dtype=object)
    n_docs = 2 * n_groups
    per_doc = -(-n_terms // n_docs) + 5
    order = rng.permutation(np.resize(np.arange(n_terms), n_docs * per_doc)).reshape(n_docs, per_doc)
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(n_docs)],
                         "province": [f"Tỉnh {i // 2}" for i in range(n_docs)]})
    tokens = pd.DataFrame({"doc_id": docs["doc_id"], "tokens": [terms[row].tolist() for row in order]})
    return tokens, docs


def test_no_dense_groups_by_vocabulary_array():
    """2,000 groups × 50,000 terms: one dense float array of that shape alone would be 800 MB."""
    import tracemalloc

    n_groups, n_terms, top_n = 2_000, 50_000, 5
    tokens, docs = _many_groups(n_groups, n_terms)
    tracemalloc.start()
    try:
        out = keyness_table(tokens, docs, "province", min_count=1, top_n=top_n)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out["group"].nunique() == n_groups and len(out) == n_groups * top_n
    dense = n_groups * n_terms * 8
    assert peak < dense / 8, f"peak {peak / 2**20:.0f} MiB: something of groups × vocabulary was held"


def test_tfidf_top_terms_holds_no_dense_groups_by_vocabulary_array():
    import tracemalloc

    tokens, docs = _many_groups(2_000, 50_000, random_state=1)
    tracemalloc.start()
    try:
        out = tfidf_top_terms(tokens, docs, "province", n_terms=2)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(out) == 2 * 2_000
    assert peak < 2_000 * 50_000 * 8 / 8


def test_full_table_streamed_to_parquet_equals_the_table_in_memory(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from toolkit.report import files

    tokens, docs = _random_corpus(n_groups=8, n_docs=70, random_state=5)
    expected = keyness_table(tokens, docs, "district", min_count=1)
    # Small row groups: the file is written in several pieces, as on a large corpus.
    monkeypatch.setattr(files, "ROW_GROUP_ROWS", 50)
    path = tmp_path / "keyness_full.parquet"
    n_rows = files.write_keyness_parquet(path, iter_keyness(tokens, docs, "district", min_count=1))
    assert n_rows == len(expected)
    assert pq.ParquetFile(path).num_row_groups > 1
    pd.testing.assert_frame_equal(pd.read_parquet(path), expected)


def test_streamed_parquet_of_no_rows_is_a_valid_empty_table(tmp_path):
    from toolkit.report.files import write_keyness_parquet

    tokens, docs = _corpus()
    path = tmp_path / "empty.parquet"
    # No term reaches min_count: nothing to write, still a table with the columns.
    assert write_keyness_parquet(path, iter_keyness(tokens, docs, "district", min_count=10_000)) == 0
    assert list(pd.read_parquet(path).columns) == list(keyness_table(tokens, docs, "district", min_count=1).columns)


def test_failed_stream_leaves_no_file(tmp_path):
    from toolkit.report.files import write_keyness_parquet

    tokens, docs = _corpus()

    def broken():
        yield from iter_keyness(tokens, docs, "district", min_count=1)
        raise RuntimeError("disk gone")
    with pytest.raises(RuntimeError):
        write_keyness_parquet(tmp_path / "k.parquet", broken())
    assert list(tmp_path.iterdir()) == []


def test_keyness_figure_draws_a_bounded_number_of_panels():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from toolkit.report.registry import MAX_PANELS, _fig_keyness

    tokens, docs = _random_corpus(n_groups=40, n_docs=400, random_state=8)
    table = keyness_table(tokens, docs, "district", min_count=1, top_n=4)
    assert table["group"].nunique() == 40
    fig = _fig_keyness(table, "en", {"keyness_group": "district", "n_terms": 10})
    try:
        # panel titles sit at the right of each panel, wrapped to its width
        titled = [" ".join(ax.get_title(loc="right").split()) for ax in fig.axes if ax.get_title(loc="right")]
        largest = (table.drop_duplicates("group").sort_values(["n_docs", "group"], ascending=[False, True])
                   ["group"].head(MAX_PANELS))
        assert sorted(titled) == sorted(largest)
        assert all(len(ax.get_yticks()) <= 4 for ax in fig.axes if ax.get_title(loc="right"))
    finally:
        plt.close(fig)


def test_cli_keyness_top_n_min_docs_and_full(tmp_path):
    import toolkit.cli.keyness  # noqa: F401
    from toolkit.cli import app
    from toolkit.corpus import read_table, write_table

    tokens, docs = _random_corpus(n_groups=6, n_docs=40, random_state=9)
    corpus, tok_path = tmp_path / "docs.csv", tmp_path / "tokens.parquet"
    write_table(docs.assign(title="", body="văn bản"), corpus)
    write_table(tokens.assign(n_tokens=tokens["tokens"].map(len)), tok_path)
    runner = CliRunner()
    base = ["keyness", str(corpus), "--group", "district", "--tokens", str(tok_path), "--min-count", "1"]

    res = runner.invoke(app, base + ["--top-n", "3", "--min-docs", "8", "-o", str(tmp_path / "top.parquet")])
    assert res.exit_code == 0, res.output
    top = read_table(tmp_path / "top.parquet")
    expected = keyness_table(tokens, docs, "district", min_count=1, top_n=3, min_docs=8)
    pd.testing.assert_frame_equal(top, expected)
    assert top["small_group"].any() and not top["small_group"].all()

    res = runner.invoke(app, base + ["--top-n", "3", "--min-docs", "8", "--full", str(tmp_path / "full.parquet"),
                                     "-o", str(tmp_path / "top2.parquet")])
    assert res.exit_code == 0, res.output
    pd.testing.assert_frame_equal(read_table(tmp_path / "top2.parquet"), expected)
    pd.testing.assert_frame_equal(read_table(tmp_path / "full.parquet"),
                                  keyness_table(tokens, docs, "district", min_count=1, min_docs=8))

    res = runner.invoke(app, base + ["--top-n", "0", "-o", str(tmp_path / "all.parquet")])
    assert res.exit_code == 0, res.output
    assert len(read_table(tmp_path / "all.parquet")) == len(keyness_table(tokens, docs, "district", min_count=1))

    res = runner.invoke(app, base + ["--full", str(tmp_path / "full.csv"), "-o", str(tmp_path / "x.csv")])
    assert res.exit_code != 0 and "parquet" in res.output


@pytest.mark.parametrize("unknown", ["", "  ", None])
def test_documents_without_a_group_are_no_group(unknown):
    tokens, docs = _corpus()
    docs = docs.assign(district=docs["district"].where(docs["doc_id"] != "c1", unknown))
    out = keyness_table(tokens, docs, "district", min_count=1, top_n=3)
    assert set(out["group"]) == {"Ba Đình", "Cầu Giấy"}
    assert tfidf_top_terms(tokens, docs, "district", n_terms=1)["group"].tolist() == ["Ba Đình", "Cầu Giấy"]
