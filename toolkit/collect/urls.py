"""URLs of a crawl: the form we request, the key we deduplicate on, and the crawl's scope.

Two forms of one address are kept apart on purpose:

* :func:`request_url` is the address as found, with only what never changes
  the page removed (fragment, tracking parameters such as ``utm_*``, the
  scheme's default port, host case). It is what the crawler asks for, so a
  server that treats ``/index.php?id=3`` and ``/?id=3`` differently is never
  sent an address of our invention.
* :func:`url_key` is the normalized address (courlan's normalization: sorted
  query, cleaned path; plus trailing index files and slashes removed) that
  says whether two links are the same page. The ledger's primary key.

Examples
--------
>>> request_url("HTTP://Huyenuy.Example.vn:80/tin-tuc/bai-1.html?utm_source=fb&id=7#binh-luan")
'http://huyenuy.example.vn/tin-tuc/bai-1.html?id=7'
>>> url_key("http://huyenuy.example.vn/tin-tuc/index.php?b=2&a=1") == url_key("http://huyenuy.example.vn/tin-tuc/?a=1&b=2")
True
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from courlan.clean import decode_punycode, normalize_part

__all__ = ["request_url", "url_key", "host_of", "resolve_link", "Scope", "looks_like_file"]

_INDEX_FILE = re.compile(r"/(?:index|default|home|trang-chu)\.(?:html?|shtml|php|aspx?|jsp)$", re.IGNORECASE)
#: Query keys that only say where a click came from. Deliberately narrower than courlan's list, which
#: also drops ``cid``/``eid``/``uid``/``source``… — keys that portals' CMSs use for categories and items.
TRACKING_KEY = re.compile(
    r"^(?:utm_\w*|mtm_\w*|pk_\w*|itm_\w*|mc_cid|mc_eid|fbclid|gclid|gclsrc|dclid|msclkid|yclid|twclid|igshid"
    r"|_ga|_gl|_hsenc|_hsmi|zarsrc|gidzl|ocid|spm|share_source)$",
    re.IGNORECASE,
)
#: Links to files that are never HTML pages: not requested.
_FILE_SUFFIX = re.compile(
    r"\.(?:jpe?g|png|gif|bmp|webp|svg|ico|tiff?|pdf|docx?|xlsx?|pptx?|odt|ods|rtf|zip|rar|7z|gz|tar|"
    r"mp3|mp4|m4a|wav|avi|mov|wmv|flv|webm|ogg|css|js|json|exe|msi|apk|dmg|iso|swf)$",
    re.IGNORECASE,
)


def _strip_trackers(query: str) -> str:
    # Pairs are kept byte for byte and in order; only tracking keys go.
    kept = [pair for pair in query.split("&")
            if pair and not TRACKING_KEY.match(unquote(pair.split("=", 1)[0]))]
    return "&".join(kept)


def request_url(url: str) -> str:
    """The address to request: no fragment, no tracking parameters, lower-case scheme and host.

    Raises
    ------
    ValueError
        When ``url`` is not an absolute http(s) address.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    netloc = parts.hostname.lower()
    if ":" in netloc:  # IPv6 literal
        netloc = f"[{netloc}]"
    if parts.port is not None and parts.port != {"http": 80, "https": 443}[scheme]:
        netloc = f"{netloc}:{parts.port}"
    # characters a browser would percent-encode (spaces, Vietnamese letters); existing %XX kept
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(_strip_trackers(parts.query), safe="=&%/:?@!$'()*+,;-._~")
    return urlunsplit((scheme, netloc, path, query, ""))


def url_key(url: str) -> str:
    """The normalized address that identifies a page (deduplication key).

    Besides :func:`request_url`: the path's percent-encoding normalized and
    repeated slashes collapsed (courlan), punycode hosts decoded (courlan),
    query parameters sorted, trailing index files (``index.html``,
    ``default.aspx``…) and trailing slashes removed.
    """
    parts = urlsplit(request_url(url))
    path = normalize_part(re.sub(r"/{2,}", "/", unquote(parts.path)))
    path = _INDEX_FILE.sub("/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    query = "&".join(sorted(pair for pair in parts.query.split("&") if pair))
    return urlunsplit((parts.scheme, decode_punycode(parts.netloc), path or "/", query, ""))


_DIGITS = re.compile(r"\d+")


def listing_pattern(url: str) -> str:
    """The address of a list page with its numbers and query values taken out: what its next pages share.

    A calendar walks day by day (``/lich?ngay=2023-05-01`` → ``…05-02``), a
    pager page by page (``?page=7``), a date archive month by month
    (``/2021/05/``): each keeps its pattern. The crawler caps the list pages
    stored per pattern (:func:`toolkit.collect.collect`, ``max_listings_per_pattern``),
    which ends a trap that has no last page.

    Examples
    --------
    >>> listing_pattern("https://dv.example.vn/lich-su-kien?ngay=2023-05-01&loai=2")
    'dv.example.vn/lich-su-kien?loai&ngay'
    >>> listing_pattern("https://dv.example.vn/tin-tuc/2021/05/trang-3.html")
    'dv.example.vn/tin-tuc/#/#/trang-#.html'

    A CMS's routing values stay, their numbers taken out (Joomla's
    ``option``/``view``, NukeViet's ``nv``/``op``): its articles and its
    category pages are served by one script, and only they tell them apart.

    >>> listing_pattern("https://dv.example.vn/index.php?option=com_content&view=category&id=8&limitstart=20")
    'dv.example.vn/index.php?id&limitstart&option=com_content&view=category'
    """
    parts = urlsplit(url)
    names = {}
    for pair in parts.query.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            routing = name.lower() in _ROUTING_KEYS and _ROUTING_VALUE.fullmatch(value)
            names[name] = f"{name}={_DIGITS.sub('#', value.lower())}" if routing else name
    shown = [names[name] for name in sorted(names)]
    return f"{parts.netloc.lower()}{_DIGITS.sub('#', parts.path)}" + (f"?{'&'.join(shown)}" if shown else "")


#: Query keys whose (word) value picks what a CMS script serves: an article view or a list view.
_ROUTING_KEYS = frozenset({"option", "view", "layout", "task", "controller", "nv", "op", "module", "mod", "act",
                           "action"})
_ROUTING_VALUE = re.compile(r"[A-Za-z][\w\-/.%]{0,79}")


def host_of(url: str) -> str:
    """``host[:port]`` of a URL, lower-case: the unit of politeness (one robots.txt, one clock)."""
    return urlsplit(url).netloc.lower()


def looks_like_file(url: str) -> bool:
    """True for links to images, documents, media, archives, styles and scripts (never requested)."""
    return bool(_FILE_SUFFIX.search(urlsplit(url).path))


def resolve_link(base: str, href: str | None) -> str | None:
    """An ``href`` made absolute against ``base``, as :func:`request_url`; None for non-http links."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        return request_url(urljoin(base, href))
    except ValueError:
        return None


@dataclass(frozen=True)
class Scope:
    """Which URLs the crawl may follow.

    Without patterns: the hosts of the seeds (``www.`` and the bare name count
    as one). With patterns, a URL is in scope when it matches at least one
    include pattern and no exclude pattern (``!`` prefix). A pattern with
    ``://`` is matched against the whole URL; without it, against
    ``host/path?query`` (so ``tinhuy.example.vn/*`` is a host and
    ``*.example.vn/*`` a domain). ``*`` matches any characters, ``/``
    included.

    Examples
    --------
    >>> scope = Scope.build(["http://huyenuy.example.vn/"])
    >>> scope.contains("http://www.huyenuy.example.vn/tin-tuc/bai-1"), scope.contains("http://baochi.example.vn/x")
    (True, False)
    >>> narrow = Scope.build(["http://huyenuy.example.vn/"], ["huyenuy.example.vn/dan-van/*", "!*/in-bai/*"])
    >>> narrow.contains("http://huyenuy.example.vn/dan-van/bai-2"), narrow.contains("http://huyenuy.example.vn/tin-tuc/bai-1")
    (True, False)
    """

    hosts: tuple[str, ...]
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @classmethod
    def build(cls, seeds: list[str] | tuple[str, ...], patterns: list[str] | tuple[str, ...] | None = None) -> Scope:
        hosts = sorted({_bare(host_of(request_url(seed))) for seed in seeds})
        include = tuple(p.strip() for p in (patterns or ()) if p.strip() and not p.strip().startswith("!"))
        exclude = tuple(p.strip()[1:] for p in (patterns or ()) if p.strip().startswith("!") and p.strip()[1:])
        return cls(hosts=tuple(hosts), include=include, exclude=exclude)

    def contains(self, url: str) -> bool:
        if any(_matches(pattern, url) for pattern in self.exclude):
            return False
        if self.include:
            return any(_matches(pattern, url) for pattern in self.include)
        return _bare(host_of(url)) in self.hosts

    def describe(self) -> str:
        """One line for the WARC header and the ledger."""
        parts = list(self.include) or [f"hosts {', '.join(self.hosts)}"]
        parts += [f"!{p}" for p in self.exclude]
        return "; ".join(parts)


def _bare(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def _matches(pattern: str, url: str) -> bool:
    if "://" in pattern:
        return fnmatch.fnmatchcase(url, pattern) or fnmatch.fnmatchcase(url.lower(), pattern.lower())
    parts = urlsplit(url)
    target = parts.netloc.lower() + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if fnmatch.fnmatchcase(target, pattern) or fnmatch.fnmatchcase(target, pattern.lower()):
        return True
    # a bare host pattern (no path) covers the whole host
    return "/" not in pattern and fnmatch.fnmatchcase(parts.netloc.lower(), pattern.lower())
