"""The viewer's filters applied to the statuses they are shown (Mastodon's FilterResult).

A status matching a filter carries ``filtered``: the filter, the keywords it matched and
whether the post itself is in the filter. Clients fold a ``warn`` match behind its title; a
``hide`` match is left out here of the timelines and notifications its context names."""

import re
from dataclasses import dataclass

from infoconnect.accounts.models import User
from infoconnect.api.times import iso
from infoconnect.social import filters
from infoconnect.social.models import Filter, FilterKeyword, FilterStatus, Post


def keyword_pattern(keyword: str, whole_word: bool) -> re.Pattern:
    """Mastodon's rule: a whole word is bounded where the keyword starts or ends with a
    letter or digit; matching ignores case."""
    body = re.escape(keyword)
    if whole_word:
        start = r"\b" if re.match(r"\w", keyword) else ""
        end = r"\b" if re.search(r"\w$", keyword) else ""
        body = f"{start}{body}{end}"
    return re.compile(body, re.IGNORECASE)


def filter_entity(row: Filter) -> dict:
    return {
        "id": str(row.pk),
        "title": row.title,
        "context": list(row.context),
        "expires_at": iso(row.expires_at),
        "filter_action": row.filter_action,
        "keywords": [keyword_entity(kw) for kw in sorted(row.keywords.all(), key=_pk)],
        "statuses": [status_entity(st) for st in sorted(row.statuses.all(), key=_pk)],
    }


def keyword_entity(row: FilterKeyword) -> dict:
    return {"id": str(row.pk), "keyword": row.keyword, "whole_word": row.whole_word}


def status_entity(row: FilterStatus) -> dict:
    return {"id": str(row.pk), "status_id": str(row.post_id)}


def _pk(row) -> int:
    return row.pk


@dataclass(frozen=True)
class _Compiled:
    row: Filter
    entity: dict
    keywords: tuple[tuple[str, re.Pattern], ...]
    post_ids: frozenset[int]


class ViewerFilters:
    """The active filters of one viewer, compiled once per request."""

    def __init__(self, rows: list[Filter]) -> None:
        self._filters = [
            _Compiled(
                row=row,
                entity=filter_entity(row),
                keywords=tuple(
                    (kw.keyword, keyword_pattern(kw.keyword, kw.whole_word))
                    for kw in sorted(row.keywords.all(), key=_pk)
                ),
                post_ids=frozenset(st.post_id for st in row.statuses.all()),
            )
            for row in rows
        ]

    def __bool__(self) -> bool:
        return bool(self._filters)

    def _matches(self, post: Post) -> list[tuple[_Compiled, list[str], bool]]:
        # A plain repost is filtered by what it reposts, as Mastodon filters status.proper.
        proper = post.repost_of if post.is_plain_repost and post.repost_of else post
        text = "\n".join(part for part in (proper.spoiler_text, proper.text) if part)
        found = []
        for compiled in self._filters:
            keywords = [kw for kw, pattern in compiled.keywords if pattern.search(text)]
            by_status = proper.pk in compiled.post_ids
            if keywords or by_status:
                found.append((compiled, keywords, by_status))
        return found

    def results(self, post: Post) -> list[dict]:
        """The status's ``filtered``: one FilterResult per matching filter."""
        return [
            {
                "filter": compiled.entity,
                "keyword_matches": keywords or None,
                "status_matches": [str(self._proper_id(post))] if by_status else None,
            }
            for compiled, keywords, by_status in self._matches(post)
        ]

    @staticmethod
    def _proper_id(post: Post) -> int:
        return post.repost_of_id if post.is_plain_repost else post.pk

    def hides(self, post: Post, context: str) -> bool:
        """True when a ``hide`` filter for this context matches the post."""
        return any(
            compiled.row.filter_action == Filter.Action.HIDE and context in compiled.row.context
            for compiled, _keywords, _by_status in self._matches(post)
        )


NO_FILTERS = ViewerFilters([])


def for_viewer(viewer: User | None) -> ViewerFilters:
    if viewer is None:
        return NO_FILTERS
    return ViewerFilters(filters.active_filters(owner=viewer))
