"""Post text: finding @mentions, #tags (both `#tag` and Weibo's `#topic#`) and links, and
rendering the text as escaped HTML with those made into links."""

import re
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import escape

# One pass, leftmost match wins: links first, so a '#' inside a URL is not a tag.
TOKEN_RE = re.compile(
    r"(?P<url>https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+)"
    r"|(?P<topic>#(?P<topic_name>(?=[^#\s\\?%]*\w)[^#\s\\?%]{1,50})#)"
    r"|(?<![\w&#])#(?P<tag_name>\w{1,50})"
    r"|(?<![\w@])@(?P<username>[A-Za-z0-9_]{3,30})(?![A-Za-z0-9_])"
)
URL_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class ParsedText:
    mentions: tuple[str, ...]  # lower-cased usernames, in order, unique
    tags: tuple[str, ...]  # lower-cased tag names, in order, unique


def clean(text: str) -> str:
    """A post's text as it is kept and counted: each line break one LF (a browser's form sends
    CR LF) and no white space around it. ``POST_MAX_LENGTH`` bounds its length in code points,
    so an emoji or a Chinese character is one; the compose box's counter counts the same."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def normalize_tag(name: str) -> str:
    return name.strip().lstrip("#").rstrip("#").lower()


def is_valid_tag(name: str) -> bool:
    """A tag must be usable as a URL path: no '.' or '..' segments (a topic may hold '/')."""
    return bool(name) and not any(part in {"", ".", ".."} for part in name.split("/"))


def parse(text: str) -> ParsedText:
    mentions: list[str] = []
    tags: list[str] = []
    for match in TOKEN_RE.finditer(text):
        if match.group("username"):
            name = match.group("username").lower()
            if name not in mentions:
                mentions.append(name)
        elif match.group("topic_name") or match.group("tag_name"):
            name = normalize_tag(match.group("topic_name") or match.group("tag_name"))
            if is_valid_tag(name) and name not in tags:
                tags.append(name)
    return ParsedText(tuple(mentions), tuple(tags))


def render_html(text: str) -> str:
    """Escaped text with mentions, tags and links turned into anchors."""
    out: list[str] = []
    position = 0
    for match in TOKEN_RE.finditer(text):
        out.append(escape(text[position : match.start()]))
        position = match.end()
        if match.group("url"):
            url = match.group("url")
            trailing = ""
            while url and url[-1] in URL_TRAILING:
                trailing = url[-1] + trailing
                url = url[:-1]
            out.append(
                f'<a href="{escape(url)}" rel="nofollow noopener ugc" target="_blank">'
                f"{escape(url)}</a>{escape(trailing)}"
            )
        elif match.group("username"):
            username = match.group("username")
            href = reverse("social:profile", args=[username])
            out.append(f'<a class="mention" href="{href}">@{escape(username)}</a>')
        else:
            raw = match.group(0)
            name = normalize_tag(match.group("topic_name") or match.group("tag_name"))
            if not is_valid_tag(name):
                out.append(escape(raw))
                continue
            href = reverse("social:tag", args=[name])
            out.append(f'<a class="hashtag" href="{escape(href)}">{escape(raw)}</a>')
    out.append(escape(text[position:]))
    return "".join(out)
