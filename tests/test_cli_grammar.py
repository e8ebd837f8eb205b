"""One grammar for every command (README, "Conventions"), checked on every registered command.

- ``-o/--output`` is the file or folder a command writes: no ``--out``, ``--outdir``…, and ``-o`` means nothing else;
- ``-j/--jobs`` defaults to -1 (every core) wherever it is;
- a command with a random choice takes ``--random-state``, default 0, said in its help;
- every command, and every one of its parameters, has a help text;
- ``--help`` lists the commands stage by stage (pipeline order);
- one token-table loader: ``--tokens`` must cover the corpus, else a usage error; without it the
  documents are tokenized through the preprocess cache.

The checks run on whatever is registered, so a command added later is held to them too.
"""

from __future__ import annotations

import importlib
import logging

import pandas as pd
import pytest
import typer
import typer.main
from typer.testing import CliRunner

from toolkit.cli import JOBS_DEFAULT, RANDOM_STATE_DEFAULT, app

#: Commands with a random choice (read from the code): each must take --random-state.
#: Not here: `figures` and `repro-check` take their seeds from the run configuration (`random_state`), which
#: alone describes a run; `ingest`'s MinHash permutations use the library's fixed seed; the others draw nothing.
STOCHASTIC = {
    "themes": "bootstrap intervals",
    "validate sample": "the documents drawn for coding",
    "validate score": "F1 interval draws",
    "validate train": "cross-validation folds and the solver",
    "validate topics": "the intrusion questions, intruders and shuffles",
    "topics": "the topic model",
    "select": "the held-out split",
    "effects": "posterior draws of the proportions",
    "simulate": "the simulated corpus",
}

#: Commands that write no file (they only print); every other command has -o/--output. Add one with its reason.
READ_ONLY: dict[str, str] = {}

#: Commands whose positional argument is what they write (no -o/--output), with the reason.
OUTPUT_ARGUMENT: dict[str, str] = {
    "init": "creates the study folder named by its DIR argument (`toolkit init DIR`, issue #18's contract)",
}

#: Spellings of an output option other than --output (a new command must not bring one back).
OTHER_OUTPUT_NAMES = {"--out", "--outdir", "--out-dir", "--outfile", "--out-file", "--output-dir",
                      "--output-file", "--output-folder", "--dest", "--destination", "--save", "--save-to",
                      "--write", "--target-dir", "--workdir"}


def _commands(group, prefix: str = ""):
    """(``"validate sample"``, command) for every leaf command under ``group``."""
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if getattr(command, "commands", None):
            yield from _commands(command, path + " ")
        else:
            yield path, command


def _groups(group, prefix: str = ""):
    yield prefix.strip() or "toolkit", group
    for name, command in group.commands.items():
        if getattr(command, "commands", None):
            yield from _groups(command, f"{prefix}{name} ")


def _options(command):
    return [p for p in command.params if getattr(p, "param_type_name", "") == "option"]


def _names(param) -> set[str]:
    return set(param.opts) | set(param.secondary_opts)


def _option(command, name: str):
    return next((p for p in _options(command) if name in _names(p)), None)


def grammar_violations(path: str, command, *, stochastic: bool, read_only: bool) -> list[str]:
    """What in ``command`` breaks the grammar (empty: nothing)."""
    problems = []
    if not (command.help or "").strip():
        problems.append(f"{path}: no help text")
    for param in command.params:
        if param.name == "help":
            continue
        if not (getattr(param, "help", None) or "").strip():
            problems.append(f"{path}: {param.name} has no help text")
        if getattr(param, "param_type_name", "") == "argument" and param.name in {"out", "output", "out_dir",
                                                                                 "output_dir", "dest"}:
            problems.append(f"{path}: the output {param.name} is an argument; write it as -o/--output")
    for option in _options(command):
        names = _names(option)
        for name in sorted(names & OTHER_OUTPUT_NAMES):
            problems.append(f"{path}: {name} writes output; call it -o/--output")
        for name in sorted(n for n in names if n.startswith("--out") and n != "--output"):
            if name not in OTHER_OUTPUT_NAMES:
                problems.append(f"{path}: {name}: the output option is -o/--output")
        if "-o" in names and "--output" not in names:
            problems.append(f"{path}: -o is {sorted(names)}, not --output")
        if "--output" in names and "-o" not in names:
            problems.append(f"{path}: --output without its short name -o")
        if "--jobs" in names:
            if option.default != JOBS_DEFAULT:
                problems.append(f"{path}: --jobs defaults to {option.default!r}, not {JOBS_DEFAULT}")
            if "-j" not in names:
                problems.append(f"{path}: --jobs without its short name -j")
            if "-1" not in (option.help or ""):
                problems.append(f"{path}: the help of --jobs does not say what -1 means")
        if "--random-state" in names:
            if option.required or option.default != RANDOM_STATE_DEFAULT:
                problems.append(f"{path}: --random-state defaults to {option.default!r}"
                                f"{' (required)' if option.required else ''}, not {RANDOM_STATE_DEFAULT}")
            if f"Default {RANDOM_STATE_DEFAULT}" not in (option.help or ""):
                problems.append(f"{path}: the help of --random-state does not give its default")
    if stochastic and _option(command, "--random-state") is None:
        problems.append(f"{path}: draws at random but takes no --random-state")
    if not read_only and _option(command, "--output") is None:
        problems.append(f"{path}: writes output but has no -o/--output")
    return problems


ROOT = typer.main.get_command(app)
COMMANDS = dict(_commands(ROOT))


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_follows_the_grammar(path):
    problems = grammar_violations(path, COMMANDS[path], stochastic=path in STOCHASTIC, read_only=path in READ_ONLY or path in OUTPUT_ARGUMENT)
    assert problems == []


@pytest.mark.parametrize("path", sorted(STOCHASTIC) + sorted(READ_ONLY) + sorted(OUTPUT_ARGUMENT))
def test_listed_commands_exist(path):
    # a renamed command must not silently drop out of the lists above
    assert path in COMMANDS


@pytest.mark.parametrize("path, group", list(_groups(ROOT)))
def test_every_group_has_a_help_text(path, group):
    assert (group.help or "").strip(), path


def test_no_old_spelling_left_anywhere():
    spelled = {name for command in COMMANDS.values() for option in _options(command) for name in _names(option)}
    assert not spelled & OTHER_OUTPUT_NAMES
    assert {"-o", "--output", "--jobs", "--random-state"} <= spelled


def _bad_app(*options) -> object:
    """A one-command app whose parameters are ``options`` (name → typer.Option)."""
    bad = typer.Typer()

    def command(**kwargs) -> None:
        """Do something."""

    import inspect

    command.__signature__ = inspect.Signature([
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=annotation)
        for name, annotation, option in options])
    bad.command("bad")(command)
    bad.command("other")(lambda: None)  # two commands: a group, like the real app
    return typer.main.get_command(bad).commands["bad"]


@pytest.mark.parametrize("options, stochastic, expected", [
    ([("out", str, typer.Option(..., "--out", "-o", help="Table."))], False, "--out writes output"),
    ([("out", str, typer.Option(..., "--out", help="Table."))], False, "--out writes output"),
    ([("outfile", str, typer.Option(..., "--outfile", help="Table."))], False, "--outfile writes output"),
    ([("output", str, typer.Option(..., "--output", help="Table."))], False, "without its short name -o"),
    ([("output", str, typer.Option(..., "-o", "--output", help="Table.")),
      ("other", str, typer.Option("", "--other", "-o", help="x"))], False, "-o is"),
    ([("output", str, typer.Option(..., "-o", "--output", help="Table.")),
      ("jobs", int, typer.Option(1, "--jobs", "-j", help="Workers (-1 = all cores)."))], False, "--jobs defaults to 1"),
    ([("output", str, typer.Option(..., "-o", "--output", help="Table.")),
      ("random_state", int, typer.Option(..., "--random-state", help="Seed. Default 0"))], True, "(required)"),
    ([("output", str, typer.Option(..., "-o", "--output", help="Table.")),
      ("random_state", int, typer.Option(None, "--random-state", help="Seed."))], True, "--random-state defaults to None"),
    ([("output", str, typer.Option(..., "-o", "--output", help="Table."))], True, "takes no --random-state"),
    ([("output", str, typer.Option(..., "-o", "--output"))], False, "output has no help text"),
    ([("n", int, typer.Option(1, "--n", help="N."))], False, "has no -o/--output"),
])
def test_the_check_catches_a_command_that_breaks_the_grammar(options, stochastic, expected):
    problems = grammar_violations("bad", _bad_app(*options), stochastic=stochastic, read_only=False)
    assert any(expected in p for p in problems), problems


def test_a_command_that_keeps_the_grammar_passes_the_check():
    from toolkit.cli import jobs_option, random_state_option

    command = _bad_app(("output", str, typer.Option(..., "-o", "--output", help="Table.")),
                       ("jobs", int, jobs_option("Workers")), ("random_state", int, random_state_option("the draw")))
    assert grammar_violations("bad", command, stochastic=True, read_only=False) == []


def test_help_lists_the_commands_stage_by_stage():
    order = ROOT.list_commands(None)
    stages = ["ingest", "preprocess", "themes", "validate-themes", "kwic", "validate", "keyness", "collocations",
              "topics", "select", "effects", "figures", "repro-check", "browse", "simulate"]
    positions = [order.index(name) for name in stages]
    assert positions == sorted(positions)
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    shown = [name for name in stages if f" {name} " in result.output]
    assert shown == stages
    assert result.output.index(" kwic ") < result.output.index(" validate ") < result.output.index(" keyness ")


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_shows_its_help(path):
    result = CliRunner().invoke(app, [*path.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "--output" in result.output or path in READ_ONLY or path in OUTPUT_ARGUMENT


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_bracketed_config_sections_survive_the_help_markup(path):
    # Rich reads "[collect]" as a style tag and prints "(default:  delay, 2)": a section name is written "\\[collect]"
    import re

    texts = [COMMANDS[path].help or ""] + [getattr(p, "help", None) or "" for p in COMMANDS[path].params]
    unescaped = [t for t in texts if re.search(r"(?<!\\)\[\[?[a-z_]+\]", t)]
    assert unescaped == []


@pytest.mark.parametrize("old", ["toolkit.cli.effects", "toolkit.cli.validate", "toolkit.cli.figures",
                                 "toolkit.cli.preprocess"])
def test_merged_cli_modules_are_gone(old):
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(old)


# --- the one token-table loader ---------------------------------------------------------------

DOCS = pd.DataFrame({
    "doc_id": ["a", "b", "c"],
    "title": ["Dân vận khéo", "Giải phóng mặt bằng", "Tôn giáo"],
    "body": ["Ban Dân vận Huyện ủy tổ chức hội nghị.", "Công tác giải phóng mặt bằng dự án đường.",
             "Gặp mặt chức sắc tôn giáo dịp Tết."],
})


def _token_table(ids):
    return pd.DataFrame({"doc_id": ids, "tokens": [["t", i] for i in ids], "n_tokens": 2})


def test_tokens_given_follow_the_corpus_order_and_drop_other_documents(tmp_path):
    from toolkit.cli._shared import load_tokens
    from toolkit.corpus import write_table

    path = tmp_path / "tokens.parquet"
    write_table(_token_table(["c", "x", "a", "b"]), path)
    tokens = load_tokens(DOCS, path, jobs=1)
    assert tokens["doc_id"].tolist() == ["a", "b", "c"]
    assert tokens["tokens"].tolist() == [["t", "a"], ["t", "b"], ["t", "c"]]


@pytest.mark.parametrize("ids, expected", [
    (["a", "c"], "1 of the corpus's 3 documents have no row"),
    (["x", "y"], "(e.g. doc_id a)"),
])
def test_tokens_that_miss_documents_are_a_usage_error(tmp_path, ids, expected):
    from toolkit.cli._shared import load_tokens
    from toolkit.corpus import write_table

    path = tmp_path / "tokens.parquet"
    write_table(_token_table(ids), path)
    with pytest.raises(typer.BadParameter, match="rerun `toolkit preprocess`") as err:
        load_tokens(DOCS, path, jobs=1)
    assert expected in str(err.value)


def test_tokens_of_another_text_of_a_document_are_a_usage_error(tmp_path):
    # a researcher's stale token table: the same doc_ids, texts edited (or truncated) since `preprocess`
    from toolkit.cli._shared import load_tokens
    from toolkit.corpus import write_table
    from toolkit.text.preprocess import preprocess

    path = tmp_path / "tokens.parquet"
    write_table(preprocess(DOCS, n_jobs=1), path)
    assert load_tokens(DOCS, path, jobs=1)["doc_id"].tolist() == ["a", "b", "c"]
    edited = DOCS.assign(body=DOCS["body"].where(DOCS["doc_id"] != "b", "Công tác giải phóng mặt bằng."))
    with pytest.raises(typer.BadParameter, match="1 of the corpus's 3 documents have another text") as err:
        load_tokens(edited, path, jobs=1)
    assert "doc_id b" in str(err.value) and "rerun `toolkit preprocess`" in str(err.value)
    # a token table written before the digest was kept is used as before
    write_table(preprocess(DOCS, n_jobs=1).drop(columns="text_hash"), path)
    assert load_tokens(edited, path, jobs=1)["doc_id"].tolist() == ["a", "b", "c"]


def test_a_table_that_is_not_a_token_table_is_a_usage_error(tmp_path):
    from toolkit.cli._shared import load_tokens
    from toolkit.corpus import write_table

    path = tmp_path / "docs.parquet"
    write_table(DOCS, path)
    with pytest.raises(typer.BadParameter, match="not a token table"):
        load_tokens(DOCS, path, jobs=1)


def test_without_tokens_the_documents_are_tokenized_through_the_cache(tmp_path, monkeypatch, caplog):
    import toolkit.cli._shared as shared

    monkeypatch.setattr(shared, "TOKEN_CACHE", tmp_path / "cache")
    with caplog.at_level(logging.INFO, logger="toolkit.cli"):
        first = shared.load_tokens(DOCS.iloc[::-1], None, jobs=1)
        second = shared.load_tokens(DOCS, None, jobs=1)
    assert first["doc_id"].tolist() == ["c", "b", "a"]
    assert second["doc_id"].tolist() == ["a", "b", "c"]
    assert "giải_phóng_mặt_bằng" in second.loc[1, "tokens"]
    assert first.set_index("doc_id")["tokens"].to_dict() == second.set_index("doc_id")["tokens"].to_dict()
    assert any((tmp_path / "cache").rglob("*")), "nothing was cached"
    messages = [r.getMessage() for r in caplog.records]
    assert any("no --tokens" in m for m in messages)
    assert any("(3 from the cache)" in m for m in messages)


@pytest.mark.parametrize("command", [
    ["topics", "-k", "2"], ["select", "--grid", "2"], ["themes"], ["validate-themes"], ["keyness"], ["collocations"],
    ["validate", "sample"],
])
def test_commands_refuse_a_token_table_of_another_corpus(tmp_path, command):
    from toolkit.corpus import write_table

    write_table(DOCS.assign(province="Bến Tre", district="Huyện Châu Thành", year=2020), tmp_path / "docs.parquet")
    write_table(_token_table(["a", "b"]), tmp_path / "tokens.parquet")
    n_words = 2 if command[0] == "validate" else 1  # the command's name, then its options
    args = [*command[:n_words], str(tmp_path / "docs.parquet"), *command[n_words:],
            "--tokens", str(tmp_path / "tokens.parquet"),
            "-o", str(tmp_path / ("out" if command[0] == "topics" else "out.csv")), "--jobs", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "no row in" in result.output and "doc_id c" in result.output


def test_the_command_line_loads_no_heavy_library_before_a_command_runs():
    # `--help` and argument errors stay quick: libraries are imported inside the commands
    import subprocess
    import sys

    from toolkit.config import PROJECT_ROOT

    code = ("import sys, toolkit.cli; "
            "print(sorted(m for m in ('pandas', 'numpy', 'gensim', 'sklearn', 'matplotlib', 'pyvi') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT,
                         env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": ""})
    assert out.stdout.strip() == "[]"


#: Every option that names a table to write: its format comes from the extension, checked when the command
#: line is read (a long run must not end in an unknown-format error at its last step).
TABLE_OUTPUTS = [
    ("ingest", "--output"), ("ingest", "--rejects"), ("preprocess", "--output"), ("preprocess", "--vocab-report"),
    ("themes", "--output"), ("themes", "--per-doc"), ("validate-themes", "--output"), ("kwic", "--output"),
    ("keyness", "--output"), ("collocations", "--output"), ("validate sample", "--output"),
    ("validate score", "--output"), ("validate score", "--terms"), ("validate topics", "--output"),
    ("validate score-topics", "--output"), ("select", "--output"), ("effects", "--output"),
    ("effects", "--prevalence"),
]


@pytest.mark.parametrize("path, option", TABLE_OUTPUTS)
def test_a_table_output_without_a_known_extension_is_a_usage_error_before_any_work(tmp_path, path, option):
    from toolkit.corpus import write_table

    corpus = tmp_path / "docs.parquet"
    write_table(DOCS, corpus)
    model = tmp_path / "model"
    model.mkdir()
    arguments = {"ingest": [str(corpus)], "preprocess": [str(corpus)], "themes": [str(corpus)],
                 "validate-themes": [str(corpus)], "kwic": [str(corpus), "tôn giáo"], "keyness": [str(corpus)],
                 "collocations": [str(corpus)], "validate sample": [str(corpus)], "validate score": [str(corpus)],
                 "validate topics": [str(model)], "validate score-topics": [str(corpus)], "select": [str(corpus)],
                 "effects": [str(model), str(corpus)]}[path]
    bad = tmp_path / "out.xlsx"
    argv = path.split() + arguments + [option, str(bad)]
    if option != "--output":
        argv += ["--output", str(tmp_path / "main.csv")]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert "unknown table format" in result.output and ".parquet" in result.output
    assert not bad.exists() and not (tmp_path / "main.csv").exists()


def test_every_table_output_is_checked_when_the_command_line_is_read():
    from toolkit.cli._shared import table_path

    commands = dict(_commands(typer.main.get_command(app)))
    for path, option in TABLE_OUTPUTS:
        params = [p for p in commands[path].params if option in getattr(p, "opts", [])]
        assert params and params[0].callback is not None, (path, option)
        with pytest.raises(typer.BadParameter, match="unknown table format"):
            params[0].callback(None, params[0], "out.xlsx")
        assert str(params[0].callback(None, params[0], "out.jsonl.gz")) == "out.jsonl.gz"
    assert table_path(None) is None


# --- --min-df / --max-df: the text decides (an integer is a number of documents, a decimal a proportion) ----------

class _Captured(Exception):
    pass


@pytest.mark.parametrize("command, target", [
    (["topics", "-k", "2"], "toolkit.topics.lda.fit_lda"),
    (["select", "--grid", "2"], "toolkit.topics.select.select_n_topics"),
])
@pytest.mark.parametrize("given, expected", [
    (["--min-df", "1", "--max-df", "1"], {"min_df": (int, 1), "max_df": (int, 1)}),  # one document at most
    (["--max-df", "100"], {"max_df": (int, 100)}),
    (["--max-df", "1.0"], {"max_df": (float, 1.0)}),
    (["--min-df", "0.01"], {"min_df": (float, 0.01)}),
    (["--min-df", "3"], {"min_df": (int, 3)}),
    ([], {"min_df": (int, 2), "max_df": (float, 0.9)}),
])
def test_document_frequency_options_are_counts_or_proportions_by_their_text(tmp_path, monkeypatch, command, target,
                                                                           given, expected):
    import importlib

    from toolkit.corpus import write_table

    seen = {}

    def capture(*args, **kwargs):
        seen.update(kwargs)
        raise _Captured

    module, name = target.rsplit(".", 1)
    monkeypatch.setattr(importlib.import_module(module), name, capture)
    write_table(DOCS, tmp_path / "docs.parquet")
    write_table(_token_table(["a", "b", "c"]), tmp_path / "tokens.parquet")
    args = [command[0], str(tmp_path / "docs.parquet"), *command[1:], *given, "--tokens",
            str(tmp_path / "tokens.parquet"), "-o", str(tmp_path / ("out" if command[0] == "topics" else "out.csv")),
            "--jobs", "1"]
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, _Captured), result.output
    for option, (kind, value) in expected.items():
        assert type(seen[option]) is kind and seen[option] == value, (option, seen[option])


@pytest.mark.parametrize("command", [["topics", "-k", "2"], ["select", "--grid", "2"]])
@pytest.mark.parametrize("given, hint, message", [
    (["--min-df", "two"], "--min-df", "number of documents"),
    (["--max-df", "nan"], "--max-df", "proportion"),
    (["--max-df", "1.5"], "--max-df", "proportion"),
    (["--min-df", "-1"], "--min-df", "negative"),
    (["--min-df", "5", "--max-df", "3"], "--min-df", "no term can be kept"),
])
def test_document_frequency_options_that_mean_nothing_are_usage_errors(tmp_path, command, given, hint, message):
    from toolkit.corpus import write_table

    write_table(DOCS, tmp_path / "docs.parquet")
    args = [command[0], str(tmp_path / "docs.parquet"), *command[1:], *given,
            "-o", str(tmp_path / ("out" if command[0] == "topics" else "out.csv")), "--jobs", "1"]
    result = CliRunner().invoke(app, args, terminal_width=200)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.replace("│", " ").split())  # the error box wraps lines
    assert hint in text and message in text, text
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.csv").exists()


def test_document_frequency_help_says_how_the_number_is_read():
    result = CliRunner().invoke(app, ["topics", "--help"])
    text = " ".join(result.output.replace("│", " ").split())  # the help box wraps lines
    assert "an integer is a number of documents" in text and "a decimal is a proportion" in text


def test_seeded_topics_with_no_seed_term_in_the_corpus_give_advice_that_works(tmp_path):
    # every seed term that occurs joins the seeded vocabulary whatever --min-df, so "lower min_df" cannot help
    from toolkit.corpus import write_table

    write_table(DOCS, tmp_path / "docs.parquet")
    write_table(_token_table(["a", "b", "c"]), tmp_path / "tokens.parquet")
    result = CliRunner().invoke(app, ["topics", str(tmp_path / "docs.parquet"), "-k", "3", "--seeded",
                                      "--seed-themes", "religion", "--tokens", str(tmp_path / "tokens.parquet"),
                                      "-o", str(tmp_path / "out")])
    text = " ".join(result.output.replace("│", " ").split())
    assert result.exit_code == 2, text
    assert "religion" in text and "occurs in this corpus" in text and "--seed-themes" in text, text
    assert "min_df" not in text and "--min-df" not in text
    assert not (tmp_path / "out").exists()
