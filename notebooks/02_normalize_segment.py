# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · Normalization and word segmentation: what goes wrong, and how the toolkit fixes it
#
# Topic models and dictionaries count *tokens*. In Vietnamese a word is often
# several syllables written with spaces between them (*giải phóng mặt bằng*,
# "site clearance", is four syllables and one concept), so the first thing any
# analysis does — splitting text into words — is already a modelling decision.
# This notebook shows, on sentences written for this course, what a
# general-purpose segmenter (pyvi) does with the language of *công tác dân vận*
# (mass-mobilisation work) news, and what `toolkit.text.normalize` and `toolkit.text.segment` do instead.
#
# You will learn to
#
# 1. see why the same word can arrive in several spellings (tone-mark styles,
#    decomposed Unicode, abbreviations, typos) and how `normalize` unifies them;
# 2. read the token convention (`giải_phóng_mặt_bằng`) and why multiword
#    political terms must be one token;
# 3. check, for your own corpus, which lexicon terms survive tokenization.

# %% tags=["parameters"]
n_pages = 2000      # size of the demo corpus (the test suite runs this notebook with fewer)
quick = False       # True: small grids and one process (the test suite sets it)
random_state = 2024  # seed of the simulated demo corpus (section 4)

# %%
import logging
import unicodedata

import pandas as pd
from pyvi import ViTokenizer

from toolkit.text.normalize import (expand_abbreviations, fix_typos, normalize, normalize_tone_marks, to_nfc)
from toolkit.text.segment import find_persons, tokenize

# The toolkit reports what a reader must know (a page left out, an extrapolation, a seeded topic that lost its
# seed terms) as `logging` warnings, which a notebook shows only once logging is configured:
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
pd.set_option("display.max_colwidth", 120)

# %% [markdown]
# ## 1. One word, many spellings
#
# Vietnamese has two conventions for where the tone mark sits in a syllable
# (*hoà* and *hòa*, "harmony"; *Uỷ* and *Ủy*, as in *Ủy ban*, "committee"),
# and both occur in one and the same article. Text may also arrive *decomposed* (NFD: a base letter followed by
# combining marks), which looks identical on screen but compares unequal.

# %%
# "The ward People's Committee mediated successfully, 5th session" — old-style tone marks
old_style = "Uỷ ban nhân dân phường hoà giải thành công, khoá họp thứ 5"
nfd = unicodedata.normalize("NFD", "Ủy ban")
print(old_style == normalize_tone_marks(old_style), normalize_tone_marks(old_style))
print("NFD equals NFC?", nfd == "Ủy ban", "→ after to_nfc:", to_nfc(nfd) == "Ủy ban")

# %% [markdown]
# Abbreviations hide the terms researchers track: *GPMB* is *giải phóng mặt
# bằng* (site clearance), *QCDC* *quy chế dân chủ* (the grassroots-democracy
# regulations), *MTTQ* *Mặt trận Tổ quốc* (the Fatherland Front), *UBND*
# *Ủy ban nhân dân* (People's Committee), *QU* *Quận ủy* (the district Party
# committee of an urban district), *Đ/c* *đồng chí* (comrade). The
# expansions live in `corpora/lexicons/abbreviations.tsv`, which you can edit.
# Some are ambiguous: *TUV* is *Thành ủy viên* (member of the city Party
# committee) on a city page and *Tỉnh ủy viên* (member of the province Party
# committee) on a province page, so expansion is level-aware.

# %%
examples = [
    "Ban Dân vận QU phối hợp với UBND phường tuyên truyền GPMB dự án.",
    "Thực hiện tốt QCDC ở cơ sở, phát huy vai trò của MTTQ.",
    "Đ/c Nguyễn Văn Bình, TUV, Bí thư Thành ủy dự hội nghị.",
    "Công tác giải phòng mặt bằng được Mặt trân Tổ quốc giám sát.",  # two typos
]
meaning = [
    "The Mass Mobilisation Board of the district Party committee works with the ward People's Committee "
    "to promote site clearance for the project.",
    "Implement the grassroots-democracy regulations well; strengthen the role of the Fatherland Front.",
    "Comrade Nguyễn Văn Bình, member of the city (or province) Party committee, Secretary of the city Party "
    "committee, attends the conference.",
    "Site-clearance work is supervised by the Fatherland Front (with two typos: phòng for phóng, trân for trận).",
]
pd.DataFrame({"raw": examples, "meaning": meaning, "normalized": [normalize(t) for t in examples]})

# %% [markdown]
# `normalize` is a pipeline of small steps (`repair_mojibake`, `to_nfc`,
# `clean_spaces_punct`, `normalize_tone_marks`, `fix_typos`,
# `expand_abbreviations`, `fix_missing_space_after_period`); each is a
# `str -> str` function you can run alone, and each is idempotent: running it
# twice changes nothing more. No step ever removes a diacritic.

# %%
text = examples[3]
print(fix_typos(text))
# "Comrade Secretary of the district Party committee directs site clearance"
print(expand_abbreviations("Đ/c Bí thư QU chỉ đạo GPMB"))
assert normalize(normalize(text)) == normalize(text)

# %% [markdown]
# ## 2. Segmentation: pyvi alone vs the toolkit
#
# pyvi joins the syllables of a word with `_`. It was trained on general
# news, so multiword political terms are often split, document codes are
# shredded into pieces, and abbreviations stay opaque.

# %%
sentences = [
    "Vận động nhân dân bàn giao mặt bằng, phục vụ công tác giải phóng mặt bằng dự án đường Vành đai 4.",
    "Triển khai Quy định số 290-QĐ/TW về Quy chế công tác dân vận của hệ thống chính trị.",
    "Phát huy vai trò của Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội.",
    "Các chức sắc, chức việc tôn giáo cam kết sống tốt đời, đẹp đạo.",
    "Thực hiện phương châm dân biết, dân bàn, dân làm, dân kiểm tra.",
]
meaning = [
    "Persuade residents to hand over their land, for the site clearance of the Ring Road 4 project.",
    "Implement Regulation 290-QĐ/TW (the Politburo's 2010 regulation on the mass-mobilisation work of the "
    "political system).",
    "Strengthen the role of the Fatherland Front and the socio-political mass organisations.",
    "Religious dignitaries and office-holders pledge to 'live a good secular life and a beautiful religious "
    "life' (a standard slogan).",
    "Follow the motto 'the people know, the people discuss, the people act, the people inspect' "
    "(the grassroots-democracy slogan).",
]
pd.DataFrame({
    "meaning": meaning,
    "pyvi": [ViTokenizer.tokenize(s) for s in sentences],
    "toolkit": [" ".join(tokenize(s)) for s in sentences],
})

# %% [markdown]
# What changed:
#
# * multiword terms from `corpora/lexicons/terms.txt` are merged by longest
#   match over syllables, whatever pyvi's boundaries were
#   (`giải_phóng mặt_bằng` → `giải_phóng_mặt_bằng`);
# * document codes (`290-qđ/tw`) are protected and kept as one token;
# * tokens are lower-case, and stopwords — a short list of function words
#   plus a documented genre list of titles and formulaic verbs
#   (`corpora/lexicons/stopwords_genre.txt`) — are removed. Level words
#   (*quận* "urban district", *huyện* "rural district", *tỉnh* "province"…)
#   are treated symmetrically so that no locality type is favoured.
#
# An abbreviation and its expansion give the same token:

# %%
assert tokenize("GPMB") == tokenize("giải phóng mặt bằng") == ["giải_phóng_mặt_bằng"]
assert tokenize("UBND") == tokenize("Ủy ban nhân dân") == tokenize("Uỷ ban nhân dân")
tokenize("UBND")

# %% [markdown]
# ## 3. Person names
#
# Reports of meetings name officials ("đồng chí Nguyễn Văn A, Phó Bí thư…":
# "comrade Nguyễn Văn A, Deputy Secretary…").
# Names say who spoke, not what was discussed; by default they are listed per
# document and removed from topic-model tokens.

# %%
# "Attending the conference were comrade Trần Thị Hương, head of the Mass Mobilisation Board
# of the district Party committee, and Mr Lê Văn Nam."
s = "Dự hội nghị có đồng chí Trần Thị Hương, Trưởng Ban Dân vận Huyện ủy và ông Lê Văn Nam."
print(find_persons(s))
print(tokenize(s))

# %% [markdown]
# ## 4. On a corpus: which lexicon terms survive?
#
# The vocabulary report counts, for every term of `terms.txt`, the documents
# whose normalized text contains it and the documents whose tokens contain it.
# A term with many documents in the text but few as a token did not survive
# (usually a longer term absorbed it, or it is a stopword on purpose).

# %%
from toolkit.pipeline import load_demo
from toolkit.text.preprocess import vocabulary_report

demo = load_demo(n_pages, random_state=random_state, n_jobs=1 if quick else -1)
report = vocabulary_report(demo.documents, demo.tokens)
report.head(15)

# %%
report[(report["n_docs_text"] > 0) & (report["share_kept"] < 0.9) & ~report["stopword"]].head(10)

# %% [markdown]
# ## Exercises
#
# 1. Write three sentences of your own with old-style tone marks and
#    abbreviations, and check that `tokenize` gives the same tokens as for
#    their clean spelling.
# 2. Add a multiword term you care about to a *copy* of the lexicon folder
#    (set the environment variable `TOOLKIT_LEXICONS` to it) and compare the
#    tokens before and after. Why does the lexicon version change?
# 3. In the vocabulary report, find a term whose `share_kept` is low. Use
#    `tokenize` on one of its sentences to see which longer term absorbed it.
