"""One repost policy: every command that counts or models leaves reposts out unless --include-duplicates."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.corpus import apply_repost_policy, read_table, write_table

COUNTING_COMMANDS = ["themes", "validate-themes", "kwic", "keyness", "collocations", "topics", "select", "effects"]

BODIES = {
    "d1": "Ban Dân vận Huyện ủy tổ chức đối thoại với nhân dân về giải phóng mặt bằng dự án đường tỉnh.",
    "d2": "Mặt trận Tổ quốc xã vận động nhân dân tham gia xây dựng nông thôn mới và giữ gìn vệ sinh môi trường.",
    "d3": "Hội Nông dân huyện tập huấn kỹ thuật trồng lúa cho hội viên các xã.",
}
# d4 reposts d1 (another portal's copy), d5 reposts d4.
DOCS = pd.DataFrame({
    "doc_id": ["d1", "d2", "d3", "d4", "d5"],
    "title": ["Đối thoại về giải phóng mặt bằng", "Xây dựng nông thôn mới", "Tập huấn trồng lúa",
              "Đối thoại về giải phóng mặt bằng", "Đối thoại về giải phóng mặt bằng"],
    "body": [BODIES["d1"], BODIES["d2"], BODIES["d3"], BODIES["d1"], BODIES["d1"]],
    "province": ["Nam Định"] * 5,
    "district": ["Huyện Hải Hậu", "Huyện Hải Hậu", "Huyện Giao Thủy", "Huyện Giao Thủy", "Huyện Giao Thủy"],
    "year": [2021, 2021, 2021, 2021, 2021],
    "duplicate_of": ["", "", "", "d1", "d1"],
})
TOKENS = pd.DataFrame({
    "doc_id": ["d1", "d2", "d3", "d4", "d5"],
    "tokens": [["ban_dân_vận", "đối_thoại", "nhân_dân", "giải_phóng_mặt_bằng", "dự_án"],
               ["mặt_trận", "vận_động", "nhân_dân", "nông_thôn_mới", "môi_trường"],
               ["hội_nông_dân", "tập_huấn", "trồng", "lúa", "hội_viên"],
               ["ban_dân_vận", "đối_thoại", "nhân_dân", "giải_phóng_mặt_bằng", "dự_án"],
               ["ban_dân_vận", "đối_thoại", "nhân_dân", "giải_phóng_mặt_bằng", "dự_án"]],
})


@pytest.mark.parametrize(("duplicate_of", "include", "kept"), [
    (["", "a", ""], False, ["a", "b", "c"][::2]),
    (["", "a", ""], True, ["a", "b", "c"]),
    ([None, "a", " "], False, ["a", "c"]),
    (["", "", ""], False, ["a", "b", "c"]),
    (["", "a", "a"], False, ["a"]),
])
def test_apply_repost_policy(duplicate_of, include, kept):
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "duplicate_of": duplicate_of})
    out = apply_repost_policy(docs, include_duplicates=include)
    assert out["doc_id"].tolist() == kept
    assert out.index.tolist() == list(range(len(kept)))


def test_apply_repost_policy_logs_what_it_leaves_out(caplog):
    with caplog.at_level(logging.INFO, logger="toolkit"):
        apply_repost_policy(DOCS)
    assert "2 of 5 documents are reposts" in caplog.text


def test_a_table_without_duplicate_of_is_kept_whole():
    docs = pd.DataFrame({"doc_id": ["a", "b"]})
    assert apply_repost_policy(docs)["doc_id"].tolist() == ["a", "b"]


def test_every_counting_command_has_the_same_option():
    commands = typer.main.get_command(app).commands
    helps = set()
    for name in COUNTING_COMMANDS:
        options = [p for p in commands[name].params if "--include-duplicates" in p.opts]
        assert len(options) == 1, name
        assert options[0].default is False, name
        helps.add(options[0].help)
    assert len(helps) == 1 and "left out" in helps.pop()


@pytest.fixture
def corpus(tmp_path):
    write_table(DOCS, tmp_path / "docs.parquet")
    write_table(TOKENS, tmp_path / "tokens.parquet")
    return tmp_path / "docs.parquet", tmp_path / "tokens.parquet"


def _run(args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def _both(args, output):
    """The command's output table by default and with --include-duplicates."""
    _run(args)
    default = read_table(output)
    _run([*args, "--include-duplicates"])
    return default, read_table(output)


def test_themes_shares_leave_reposts_out(corpus, tmp_path):
    docs, tokens = corpus
    out = tmp_path / "shares.parquet"
    default, included = _both(["themes", docs, "-o", out, "--tokens", tokens, "--by", "district",
                               "--n-boot", 20, "--random-state", 1], out)
    clearance = "site_clearance"
    n_docs = default[default["theme"] == clearance].set_index("district")["n_docs"].to_dict()
    assert n_docs == {"Huyện Hải Hậu": 2, "Huyện Giao Thủy": 1}
    shares = included[included["theme"] == clearance].set_index("district")["share"].to_dict()
    assert shares["Huyện Giao Thủy"] == pytest.approx(2 / 3)
    assert default[default["theme"] == clearance].set_index("district")["share"]["Huyện Giao Thủy"] == 0


def test_validate_themes_keyness_collocations_and_kwic_leave_reposts_out(corpus, tmp_path):
    docs, tokens = corpus
    out = tmp_path / "validation.parquet"
    default, included = _both(["validate-themes", docs, "-o", out, "--tokens", tokens, "--by", ""], out)
    row = lambda t: t.set_index("term").loc["giải phóng mặt bằng"]  # noqa: E731
    assert (row(default)["doc_freq"], row(included)["doc_freq"]) == (1, 3)

    out = tmp_path / "keyness.parquet"
    default, included = _both(["keyness", docs, "-o", out, "--tokens", tokens, "--group", "district",
                               "--min-count", 1], out)
    count = lambda t: t[t["group"].str.startswith("Huyện Giao Thủy") & (t["term"] == "đối_thoại")]["count_target"].sum()  # noqa: E731
    assert (count(default), count(included)) == (0, 2)

    out = tmp_path / "collocations.parquet"
    default, included = _both(["collocations", docs, "-o", out, "--tokens", tokens, "--min-count", 2,
                               "--threshold", 0.1], out)
    assert len(default) == 0 and "đối_thoại_nhân_dân" in set(included["candidate"])

    out = tmp_path / "kwic.parquet"
    default, included = _both(["kwic", docs, "nhân dân", "-o", out], out)
    assert (len(default), len(included)) == (2, 4)
    assert set(default["doc_id"]) == {"d1", "d2"}


def test_topics_fit_without_reposts(corpus, tmp_path):
    docs, tokens = corpus
    args = ["topics", docs, "--tokens", tokens, "-k", 2, "--random-state", 0, "--no-seeded",
            "--min-df", 1, "--max-df", 1.0, "-o", tmp_path / "model"]
    _run(args)
    assert read_table(tmp_path / "model" / "doc_topics.parquet")["doc_id"].tolist() == ["d1", "d2", "d3"]
    _run([*args, "--include-duplicates"])
    assert read_table(tmp_path / "model" / "doc_topics.parquet")["doc_id"].tolist() == ["d1", "d2", "d3", "d4", "d5"]

    # effects on a model fitted with the reposts: they are left out of the estimates unless asked for
    effects = ["effects", tmp_path / "model", docs, "-o", tmp_path / "effects.parquet", "--formula", "~ C(district)",
               "--n-draws", 2]
    assert "from 3 documents" in _run(effects).output
    assert "from 5 documents" in _run([*effects, "--include-duplicates"]).output


@pytest.mark.slow
def test_cli_themes_give_the_pipelines_theme_shares(tmp_path):
    """One corpus, one set of shares: `toolkit themes` and `make figures` agree, reposts left out of both."""
    from toolkit.config import CorpusConfig, EffectsConfig, FiguresConfig, RunConfig, ThemesConfig, TopicsConfig
    from toolkit.pipeline import StageCache, load_documents, run_pipeline, tokenize_documents

    config = RunConfig(
        name="reposts", random_state=5,
        corpus=CorpusConfig(n_pages=160),
        # no quality stage: its 15,000 labelled articles, segmented cold in this run's cache, are not the point here
        themes=ThemesConfig(n_boot=50, min_docs=3, devset_quality=False),
        topics=TopicsConfig(n_topics_grid=(), random_states=(0,), n_topics=6),
        effects=EffectsConfig(n_draws=3),
        figures=FiguresConfig(formats=("png",), dpi=30),
    )
    run_pipeline(config, output_dir=tmp_path / "out", cache_dir=tmp_path / "cache")
    pipeline_shares = read_table(tmp_path / "out" / "tables" / "theme_shares_locality_year.parquet")

    # The same document and token tables the run used (from its stage cache), as a researcher has them.
    cache = StageCache(tmp_path / "cache")
    documents, _, _ = load_documents(config, cache)
    assert (documents["duplicate_of"] != "").sum() > 0
    write_table(documents, tmp_path / "docs.parquet")
    write_table(tokenize_documents(config, documents, cache), tmp_path / "tokens.parquet")

    out = tmp_path / "shares.parquet"
    args = ["themes", tmp_path / "docs.parquet", "--tokens", tmp_path / "tokens.parquet", "-o", out,
            "--by", "province,district,year", "--n-boot", 50, "--random-state", 5, "--min-docs", 3, "--jobs", 1]
    cli_default, cli_included = _both(args, out)
    columns = ["province", "district", "year", "theme", "n_docs", "docs_with_theme", "share", "ci_low", "ci_high"]
    key = ["province", "district", "year", "theme"]
    expected = pipeline_shares[columns].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(cli_default[columns].sort_values(key).reset_index(drop=True), expected,
                                  check_dtype=False)
    assert cli_included["n_docs"].sum() > cli_default["n_docs"].sum()
    merged = cli_included.merge(expected, on=key, suffixes=("", "_run"))
    assert (merged["share"] != merged["share_run"]).any()
