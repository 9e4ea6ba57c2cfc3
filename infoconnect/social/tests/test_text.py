from infoconnect.social.text import parse, render_html


def test_parse_finds_mentions_tags_and_weibo_topics():
    parsed = parse("Hi @Alice and @bob_2! #Tea #双十一# sale #双十一# again #tea")
    assert parsed.mentions == ("alice", "bob_2")
    assert parsed.tags == ("tea", "双十一")


def test_parse_ignores_fragments_and_emails():
    parsed = parse("see https://example.com/page#section and mail me at a@example.com")
    assert parsed.tags == ()
    assert parsed.mentions == ()


def test_render_html_escapes_and_links():
    html = render_html('<script>alert(1)</script> @alice #tea https://example.com/x. "q"')
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a class="mention" href="/@alice/">@alice</a>' in html
    assert '<a class="hashtag" href="/tags/tea/">#tea</a>' in html
    assert (
        '<a href="https://example.com/x" rel="nofollow noopener ugc" target="_blank">'
        "https://example.com/x</a>." in html
    )
    assert "&quot;q&quot;" in html


def test_render_html_weibo_topic_links_to_tag_page():
    html = render_html("今天 #双十一#大促")
    assert '<a class="hashtag" href="/tags/%E5%8F%8C%E5%8D%81%E4%B8%80/">#双十一#</a>大促' in html


def test_render_html_does_not_link_javascript_urls():
    html = render_html("javascript:alert(1) and <a href=x>")
    assert "<a" not in html.replace("&lt;a", "")


def test_topics_that_are_not_paths_stay_text():
    assert parse("#..# and #a/../b# and #./x#").tags == ()
    html = render_html("#..# #a/../b#")
    assert "<a" not in html
    assert parse("#A/B测试#").tags == ("a/b测试",)
