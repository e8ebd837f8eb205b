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
# # 01 · From raw pages to a document table
#
# A study of local Party news starts from pages scraped from hundreds of
# district, city and province portals. Every portal has its own template:
# menus, search boxes, visitor counters (*Thống kê truy cập* "visitor statistics",
# *Đang online* "online now"),
# category crumbs, yearly banners, date and view lines, photo captions and
# author lines all sit around the article. Dates come in several formats or
# not at all; the locality is often never named (only its wards); older
# archives use legacy Vietnamese font encodings (TCVN3, VNI); and the same
# article is reposted by several sites.
#
# `toolkit.ingest` turns all of that into **one tidy table, one row per
# document**. This notebook walks through it on the simulated demo corpus,
# whose pages imitate those templates (its text is written for this project
# and is *not* real news).

# %% tags=["parameters"]
n_pages = 2000
quick = False
random_state = 2024

# %%
import logging
import tempfile
from pathlib import Path

import pandas as pd

from toolkit.ingest.core import ingest_files
from toolkit.ingest.encoding import decode_bytes
from toolkit.ingest.pages import parse_page
from toolkit.simulate import simulate_corpus, write_corpus

# The toolkit reports what a reader must know (a page left out, an extrapolation, a seeded topic that lost its
# seed terms) as `logging` warnings, which a notebook shows only once logging is configured:
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
pd.set_option("display.max_colwidth", 80)
workdir = Path(tempfile.mkdtemp(prefix="demo-"))
write_corpus(simulate_corpus(n_pages, random_state=random_state), workdir)
sorted(p.name for p in workdir.iterdir())

# %% [markdown]
# ## 1. What a raw page looks like
#
# Pages are stored as the scraper saved them, one folder per district. Here is
# the start of one: note what stands around the article's text. Templates
# differ: some open with navigation, a yearly banner or a category line before
# the headline, some have a date and views line only, some no headline at all
# (the document table then has an empty `title`); print `pages[5]` or
# `pages[40]` to see others.

# %%
pages = sorted((workdir / "pages").rglob("*.txt"))
raw = decode_bytes(pages[0].read_bytes())
print(raw.encoding)
print(raw.text[:1200])

# %% [markdown]
# `parse_page` applies the genre's rules: boilerplate lines are dropped,
# captions and author lines moved to their own fields, and the publication
# date read from the header — never from a document the article cites
# (*Quyết định … ngày 5/11/2010*, "Decision … of 5 November 2010").

# %%
fields = parse_page(raw.text).to_dict()
{k: (v[:150] + "…" if isinstance(v, str) and len(v) > 150 else v) for k, v in fields.items()}

# %% [markdown]
# ## 2. Ingest a whole folder
#
# `ingest_files` reads files and folders recursively: text pages, HTML pages
# (main text via trafilatura plus the same genre rules) and tables. A
# *sources file* maps folders, file globs or site domains to a locality — the
# usual case, since a researcher knows which site a page came from. Pages it
# does not cover get their locality inferred from the place names they
# mention, with the evidence recorded.

# %%
print((workdir / "sources.toml").read_text()[:400])

# %%
result = ingest_files([workdir / "pages"], sources=workdir / "sources.toml", n_jobs=1 if quick else -1)
docs = result.documents
docs[["doc_id", "date", "date_precision", "province", "district", "locality", "title"]].head()

# %% [markdown]
# `locality` names the district with its province (`"Huyện Đông Anh, Hà Nội"`:
# *huyện* is a rural district, *quận* an urban one, *thành phố* a city, *thị xã*
# a town): district names repeat across provinces (Huyện Châu Thành exists in ten), so
# every grouping by district — theme shares, keyness, effects, figures — uses it.

# %% [markdown]
# The locality inferred from the text alone, without the sources file, and the
# evidence for it:

# %%
inferred = ingest_files(pages[:20], n_jobs=1).documents
inferred[["province", "district", "locality_evidence"]].head(8)

# %% [markdown]
# ## 3. Encodings, reposts and rejects
#
# Every page's encoding is detected and converted to NFC Unicode; the
# `encoding` column records what was found. Reposts of the same article get
# `duplicate_of` pointing at the earliest copy — nothing is dropped
# silently; later analyses leave them out by default.

# %%
docs["encoding"].value_counts()

# %%
dups = docs[docs["duplicate_of"] != ""]
print(len(dups), "reposts")
dups[["doc_id", "duplicate_of", "title"]].head()

# %% [markdown]
# Inputs that cannot be read (empty, binary, undecodable, a page with no
# article text) are listed with the reason, and the run goes on:

# %%
bad = workdir / "pages" / "broken.txt"
bad.write_bytes(b"\x00\x01\x02 binary")
ingest_files([bad, pages[0]], n_jobs=1).rejects

# %% [markdown]
# ## 4. Compare with the planted truth
#
# The simulator saved what it planted. How often did ingest recover the right
# date and district?

# %%
truth = pd.read_csv(workdir / "truth" / "documents.csv", dtype=str, keep_default_na=False)
truth["source"] = "pages/" + truth["path"].str.replace(r"^pages/", "", regex=True)
docs_by_name = docs.assign(name=docs["source"].str.rsplit("/", n=1).str[-1])
truth_by_name = truth.assign(name=truth["path"].str.rsplit("/", n=1).str[-1])
check = docs_by_name.merge(truth_by_name, on="name", suffixes=("", "_true"))
print("district correct:", ((check["district"] == check["district_true"])
                             & (check["province"] == check["province_true"])).mean().round(3))
print("date correct (when found):",
      (check.loc[check["date"] != "", "date"] == check.loc[check["date"] != "", "date_true"]).mean().round(3))

# %% [markdown]
# ## Exercises
#
# 1. Save one page in TCVN3 with `toolkit.ingest.encoding.encode_text` and
#    ingest it. What does the `encoding` column say?
# 2. Ingest the pages **without** the sources file. For how many pages is
#    the district inferred correctly? Read the `locality_evidence` of one
#    that is wrong.
# 3. Write the table with `toolkit.corpus.write_table(docs, "docs.parquet")`
#    and run `python -m toolkit ingest` on the same folder from a terminal:
#    are the `doc_id`s the same?
