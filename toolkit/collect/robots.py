"""robots.txt for the crawler's own user agent (RFC 9309, parsed by protego).

The standard library's ``urllib.robotparser`` and trafilatura's spider look
at the wildcard group only; protego picks the group whose product token
matches our user agent (``User-agent: danvan-toolkit``), falling back to
``*``, and reads ``Crawl-delay``, ``Request-rate`` and ``Sitemap`` lines.

What an unreadable robots.txt means follows RFC 9309: a 4xx answer (no file)
allows everything; a 5xx answer, a network failure or a redirect loop means
"complete disallow" for this run — the host's pages stay queued for a later
run.

Examples
--------
>>> rules = RobotsRules.parse('''User-agent: *
... Disallow: /tim-kiem/
... Crawl-delay: 5
...
... User-agent: danvan-toolkit
... Disallow: /noi-bo/
... Crawl-delay: 1
... Sitemap: http://huyenuy.example.vn/sitemap.xml''', "danvan-toolkit/0.1.0 (+mailto:nhom@example.edu)")
>>> rules.allows("http://huyenuy.example.vn/noi-bo/a"), rules.allows("http://huyenuy.example.vn/tim-kiem/a")
(False, True)
>>> rules.crawl_delay, rules.sitemaps
(1.0, ('http://huyenuy.example.vn/sitemap.xml',))
"""

from __future__ import annotations

from dataclasses import dataclass

from protego import Protego

__all__ = ["RobotsRules"]


@dataclass(frozen=True)
class RobotsRules:
    """The rules of one host for one user agent.

    Attributes
    ----------
    crawl_delay
        Seconds between two requests the site asks of us: our group's
        ``Crawl-delay`` (else the wildcard group's), or the interval of its
        ``Request-rate``, whichever is longer; 0 when none.
    sitemaps
        ``Sitemap:`` URLs, in file order.
    status
        ``"parsed"``, ``"allow-all"`` (no robots.txt) or ``"disallow-all"``
        (robots.txt unreachable).
    """

    user_agent: str
    crawl_delay: float = 0.0
    sitemaps: tuple[str, ...] = ()
    status: str = "allow-all"
    _parser: Protego | None = None

    @classmethod
    def parse(cls, text: str, user_agent: str) -> RobotsRules:
        parser = Protego.parse(text)
        delays = [parser.crawl_delay(user_agent)]
        rate = parser.request_rate(user_agent)
        if rate is not None and rate.requests:
            delays.append(rate.seconds / rate.requests)
        if all(d is None for d in delays):
            # our group exists but says nothing about pace: the wildcard group's pace still describes the server
            delays.append(parser.crawl_delay("*"))
        delay = max((float(d) for d in delays if d is not None), default=0.0)
        return cls(user_agent=user_agent, crawl_delay=delay, sitemaps=tuple(parser.sitemaps),
                   status="parsed", _parser=parser)

    @classmethod
    def allow_all(cls, user_agent: str) -> RobotsRules:
        return cls(user_agent=user_agent, status="allow-all")

    @classmethod
    def disallow_all(cls, user_agent: str) -> RobotsRules:
        return cls(user_agent=user_agent, status="disallow-all")

    def allows(self, url: str) -> bool:
        """May our user agent fetch ``url``?"""
        if self.status == "disallow-all":
            return False
        if self._parser is None:
            return True
        return self._parser.can_fetch(url, self.user_agent)
