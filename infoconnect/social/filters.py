"""A person's filters (Mastodon's v2 filters): a title, the contexts it applies in, warn or
hide, an expiry, and what it matches (keywords, or posts picked one by one).

Every write checks the whole filter before it writes anything, in one transaction; a filter,
keyword or filtered post of someone else is not found."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.social import selectors
from infoconnect.social.errors import SocialError
from infoconnect.social.models import Filter, FilterContext, FilterKeyword, FilterStatus

TITLE_MAX = 200
KEYWORD_MAX = 200
KEYWORDS_PER_FILTER = 100
FILTERS_PER_USER = 100
# Ten years: further than that is "never" said another way.
EXPIRES_IN_MAX = 10 * 365 * 24 * 3600


@dataclass(frozen=True)
class KeywordChange:
    """One entry of keywords_attributes: a new keyword (no id), a change, or a removal."""

    id: int | None = None
    keyword: str | None = None
    whole_word: bool | None = None
    destroy: bool = False


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(SocialError.FILTER_INVALID, message, fields={field: [message]})


def _title(value: str) -> str:
    title = (value or "").strip()
    if not title:
        raise _invalid("title", _("Give the filter a title."))
    if len(title) > TITLE_MAX:
        raise _invalid("title", _("A title can have at most 200 characters."))
    return title


def _context(values: list[str]) -> list[str]:
    allowed = set(FilterContext.values)
    chosen = [value for value in FilterContext.values if value in set(values)]
    if not values or any(value not in allowed for value in values):
        raise _invalid(
            "context",
            _("Choose where the filter applies: home, notifications, public, thread, account."),
        )
    return chosen


def _action(value: str) -> str:
    if value not in Filter.Action.values:
        raise _invalid("filter_action", _("filter_action must be warn or hide."))
    return value


def _expires_at(expires_in: int | None) -> datetime | None:
    if expires_in is None:
        return None
    if not 0 < expires_in <= EXPIRES_IN_MAX:
        raise _invalid(
            "expires_in", _("expires_in must be a number of seconds, at most ten years.")
        )
    return timezone.now() + timedelta(seconds=expires_in)


def _keyword(value: str | None) -> str:
    keyword = (value or "").strip()
    if not keyword:
        raise _invalid("keyword", _("A keyword cannot be empty."))
    if len(keyword) > KEYWORD_MAX:
        raise _invalid("keyword", _("A keyword can have at most 200 characters."))
    return keyword


# Reads ----------------------------------------------------------------------------------


def filters_of(*, owner: User) -> list[Filter]:
    """The owner's filters, oldest first, with their keywords and posts."""
    return list(
        Filter.objects.filter(owner_id=owner.pk)
        .prefetch_related("keywords", "statuses")
        .order_by("id")
    )


def active_filters(*, owner: User) -> list[Filter]:
    """The filters that apply now (not expired); one query when there are none."""
    now = timezone.now()
    return list(
        Filter.objects.filter(owner_id=owner.pk)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .prefetch_related("keywords", "statuses")
        .order_by("id")
    )


def _owned(queryset: QuerySet, error: SocialError, pk: int):
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise DomainError(error)
    return row


def get_filter(*, owner: User, filter_id: int) -> Filter:
    queryset = Filter.objects.filter(owner_id=owner.pk).prefetch_related("keywords", "statuses")
    return _owned(queryset, SocialError.FILTER_NOT_FOUND, filter_id)


def get_keyword(*, owner: User, keyword_id: int) -> FilterKeyword:
    queryset = FilterKeyword.objects.filter(filter__owner_id=owner.pk).select_related("filter")
    return _owned(queryset, SocialError.FILTER_KEYWORD_NOT_FOUND, keyword_id)


def get_filter_status(*, owner: User, filter_status_id: int) -> FilterStatus:
    queryset = FilterStatus.objects.filter(filter__owner_id=owner.pk).select_related("filter")
    return _owned(queryset, SocialError.FILTER_STATUS_NOT_FOUND, filter_status_id)


def keywords_of(*, owner: User, filter_id: int) -> list[FilterKeyword]:
    found = get_filter(owner=owner, filter_id=filter_id)
    return sorted(found.keywords.all(), key=lambda row: row.pk)


def statuses_of(*, owner: User, filter_id: int) -> list[FilterStatus]:
    found = get_filter(owner=owner, filter_id=filter_id)
    return sorted(found.statuses.all(), key=lambda row: row.pk)


# Writes ---------------------------------------------------------------------------------


def _locked_filter(owner: User, filter_id: int) -> Filter:
    found = Filter.objects.select_for_update().filter(pk=filter_id, owner_id=owner.pk).first()
    if found is None:
        raise DomainError(SocialError.FILTER_NOT_FOUND)
    return found


def _check_keyword_count(filter_id: int, adding: int) -> None:
    if FilterKeyword.objects.filter(filter_id=filter_id).count() + adding > KEYWORDS_PER_FILTER:
        raise _invalid("keywords_attributes", _("A filter can have at most 100 keywords."))


@transaction.atomic
def create_filter(
    *,
    owner: User,
    title: str,
    context: list[str],
    filter_action: str = Filter.Action.WARN,
    expires_in: int | None = None,
    keywords: list[KeywordChange] = (),
) -> Filter:
    row = Filter(
        owner=owner,
        title=_title(title),
        context=_context(context),
        filter_action=_action(filter_action),
        expires_at=_expires_at(expires_in),
    )
    new_keywords = [
        FilterKeyword(keyword=_keyword(change.keyword), whole_word=change.whole_word is not False)
        for change in keywords
        if not change.destroy
    ]
    if len(new_keywords) > KEYWORDS_PER_FILTER:
        raise _invalid("keywords_attributes", _("A filter can have at most 100 keywords."))
    # Counted under the owner's row lock, so two requests cannot both pass the limit.
    User.objects.select_for_update().filter(pk=owner.pk).first()
    if Filter.objects.filter(owner_id=owner.pk).count() >= FILTERS_PER_USER:
        raise _invalid("title", _("You can have at most 100 filters."))
    row.save()
    for keyword in new_keywords:
        keyword.filter = row
    FilterKeyword.objects.bulk_create(new_keywords)
    return get_filter(owner=owner, filter_id=row.pk)


# update_filter leaves the expiry as it is unless told.
UNCHANGED = object()


@transaction.atomic
def update_filter(
    *,
    owner: User,
    filter_id: int,
    title: str | None = None,
    context: list[str] | None = None,
    filter_action: str | None = None,
    expires_in: int | None | object = UNCHANGED,
    keywords: list[KeywordChange] = (),
) -> Filter:
    """Change what is given; ``expires_in=None`` makes the filter never expire."""
    row = _locked_filter(owner, filter_id)
    fields = []
    if title is not None:
        row.title = _title(title)
        fields.append("title")
    if context is not None:
        row.context = _context(context)
        fields.append("context")
    if filter_action is not None:
        row.filter_action = _action(filter_action)
        fields.append("filter_action")
    if expires_in is not UNCHANGED:
        row.expires_at = _expires_at(expires_in)
        fields.append("expires_at")
    existing = {kw.pk: kw for kw in FilterKeyword.objects.filter(filter_id=row.pk)}
    added, changed, removed = [], [], []
    for change in keywords:
        if change.id is None:
            if not change.destroy:
                added.append(
                    FilterKeyword(
                        filter=row,
                        keyword=_keyword(change.keyword),
                        whole_word=change.whole_word is not False,
                    )
                )
            continue
        keyword = existing.get(change.id)
        if keyword is None:
            raise DomainError(SocialError.FILTER_KEYWORD_NOT_FOUND)
        if change.destroy:
            removed.append(keyword.pk)
            continue
        if change.keyword is not None:
            keyword.keyword = _keyword(change.keyword)
        if change.whole_word is not None:
            keyword.whole_word = change.whole_word
        changed.append(keyword)
    if len(existing) - len(removed) + len(added) > KEYWORDS_PER_FILTER:
        raise _invalid("keywords_attributes", _("A filter can have at most 100 keywords."))
    if fields:
        row.save(update_fields=fields)
    FilterKeyword.objects.filter(pk__in=removed).delete()
    if changed:
        FilterKeyword.objects.bulk_update(changed, ["keyword", "whole_word"])
    FilterKeyword.objects.bulk_create(added)
    return get_filter(owner=owner, filter_id=row.pk)


@transaction.atomic
def delete_filter(*, owner: User, filter_id: int) -> None:
    _locked_filter(owner, filter_id).delete()


@transaction.atomic
def add_keyword(
    *, owner: User, filter_id: int, keyword: str, whole_word: bool = True
) -> FilterKeyword:
    row = _locked_filter(owner, filter_id)
    text = _keyword(keyword)
    _check_keyword_count(row.pk, 1)
    return FilterKeyword.objects.create(filter=row, keyword=text, whole_word=whole_word)


@transaction.atomic
def update_keyword(
    *, owner: User, keyword_id: int, keyword: str | None = None, whole_word: bool | None = None
) -> FilterKeyword:
    row = get_keyword(owner=owner, keyword_id=keyword_id)
    fields = []
    if keyword is not None:
        row.keyword = _keyword(keyword)
        fields.append("keyword")
    if whole_word is not None:
        row.whole_word = whole_word
        fields.append("whole_word")
    if fields:
        row.save(update_fields=fields)
    return row


@transaction.atomic
def delete_keyword(*, owner: User, keyword_id: int) -> None:
    get_keyword(owner=owner, keyword_id=keyword_id).delete()


@transaction.atomic
def add_status(*, owner: User, filter_id: int, post_id: int) -> FilterStatus:
    """Filter one post the owner can see."""
    row = _locked_filter(owner, filter_id)
    post = selectors.get_post(post_id=post_id, viewer=owner)
    try:
        with transaction.atomic():
            return FilterStatus.objects.create(filter=row, post=post)
    except IntegrityError:
        raise DomainError(SocialError.FILTER_STATUS_EXISTS) from None


@transaction.atomic
def delete_status(*, owner: User, filter_status_id: int) -> None:
    get_filter_status(owner=owner, filter_status_id=filter_status_id).delete()
