import pytest

from toolkit.config import PROJECT_ROOT, RunConfig, lexicon_version, load_config


def test_default_config_file_matches_the_defaults():
    # configs/default.toml lists every setting: nothing hidden in code defaults.
    assert load_config(PROJECT_ROOT / "configs" / "default.toml") == RunConfig()


def test_hash_changes_with_any_setting(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[topics]\nn_topics = 7\n", encoding="utf-8")
    config = load_config(path)
    assert config.topics.n_topics == 7
    assert config.hash() != RunConfig().hash()
    assert config.hash() == load_config(path).hash()


@pytest.mark.parametrize("text, message", [
    ("[topics]\nn_topic = 7\n", "unknown setting"),
    ("[topics]\nn_topics = 'seven'\n", "should be a int"),
    ("colour = 1\n", "unknown setting"),
])
def test_bad_settings_are_named(tmp_path, text, message):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_config(path)


def test_lexicon_version_tracks_content(tmp_path):
    (tmp_path / "a.txt").write_text("giải phóng mặt bằng\n", encoding="utf-8")
    first = lexicon_version(tmp_path)
    (tmp_path / "a.txt").write_text("giải phóng mặt bằng\ntái định cư\n", encoding="utf-8")
    assert lexicon_version(tmp_path) != first
