"""The Markdown chokepoint: hostile input renders inert, ordinary Markdown renders as expected.

Table-driven, like CTFd's and bleach's sanitiser tests. Output is parsed with html5lib, the way a
browser would read it, so the checks are about elements, attributes and link schemes rather than
substrings; a few cases also pin the exact HTML so that a regression in escaping shows.
"""
from __future__ import annotations

import re
import threading

import html5lib
import pytest
from markupsafe import Markup

from storyboard import markdown
from storyboard.markdown import is_safe_url, render

# Written out here rather than imported, so that widening the product's allowlist fails a test.
EXPECTED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "a",
}
EXPECTED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "th": {"align"}, "td": {"align"}}
LINK_REL = "nofollow noopener noreferrer"

# What a browser drops before reading a URL's scheme: leading C0 controls and spaces, and tabs
# and newlines anywhere (WHATWG URL standard). Checked independently of `is_safe_url`.
_BROWSER_STRIPS = re.compile(r"[\t\n\r]")
_BROWSER_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def fragment(html: str):
    """Parse HTML as a browser would parse it inside a <div>."""
    return html5lib.parseFragment(html, namespaceHTMLElements=False)


def elements(html: str) -> list:
    return [node for node in fragment(html).iter() if node.tag != "DOCUMENT_FRAGMENT"]


def visible_text(html: str) -> str:
    return "".join(fragment(html).itertext())


def browser_scheme(url: str) -> str | None:
    url = _BROWSER_STRIPS.sub("", url).lstrip("".join(chr(c) for c in range(0x21)))
    match = _BROWSER_SCHEME.match(url)
    return match.group(1).lower() if match else None


def assert_inert(html: str) -> None:
    """Only allowlisted tags and attributes, no handlers or styles, no dangerous link scheme."""
    assert "<script" not in html.lower()
    for node in elements(html):
        assert node.tag in EXPECTED_TAGS, f"unexpected <{node.tag}> in {html!r}"
        for name, value in node.attrib.items():
            assert not name.lower().startswith("on"), f"handler {name}= in {html!r}"
            assert name.lower() != "style", f"style= in {html!r}"
            assert name in EXPECTED_ATTRIBUTES.get(node.tag, set()), f"{node.tag} {name}= in {html!r}"
            if name == "href":
                assert browser_scheme(value) in (None, "http", "https", "mailto"), html
                assert node.get("rel") == LINK_REL


def links(html: str) -> list[dict[str, str]]:
    return [dict(node.attrib) for node in elements(html) if node.tag == "a"]


# Raw HTML typed into a story is shown as the text that was typed, never interpreted.
TYPED_HTML = [
    pytest.param("<script>alert(1)</script>", id="script-block"),
    pytest.param("Before <script>alert(1)</script> after", id="script-inline"),
    pytest.param("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", id="script-src-upper"),
    pytest.param("<scr<script>ipt>alert(1)</script>", id="script-split"),
    pytest.param("<img src=x onerror=alert(1)>", id="img-onerror"),
    pytest.param('<img src="http://evil.example/x.png">', id="img-external"),
    pytest.param("<svg onload=alert(1)>", id="svg-onload"),
    pytest.param("<svg><script>alert(1)</script></svg>", id="svg-script"),
    pytest.param("<math><mi xlink:href='javascript:alert(1)'>x</mi></math>", id="math"),
    pytest.param("<iframe src='javascript:alert(1)'></iframe>", id="iframe"),
    pytest.param("<style>body { display: none }</style>", id="style-element"),
    pytest.param("<!-- hidden --><b>x</b>", id="html-comment"),
    pytest.param("a <!-- c --> b", id="html-comment-inline"),
    pytest.param('<a href="javascript:alert(1)">click</a>', id="a-javascript-as-html"),
    pytest.param('<p style="color:red">x</p>', id="style-attribute"),
    pytest.param("<b onmouseover=alert(1)>bold</b>", id="b-onmouseover"),
    pytest.param('<object data="javascript:alert(1)"></object>', id="object"),
    pytest.param("<form action=javascript:alert(1)><button>x</button></form>", id="form"),
]


@pytest.mark.parametrize("text", TYPED_HTML)
def test_typed_html_is_shown_as_text(text):
    html = render(text)
    assert_inert(html)
    assert [node.tag for node in elements(html)] == ["p"]
    assert visible_text(html) == text


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param(
            "<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", id="script"
        ),
        pytest.param(
            "<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>", id="img"
        ),
        pytest.param("<!-- hidden -->", "<p>&lt;!-- hidden --&gt;</p>", id="comment"),
        pytest.param(
            '<a href="javascript:alert(1)">x</a>',
            '<p>&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;</p>',
            id="a-javascript",
        ),
        pytest.param("&lt;script&gt;", "<p>&lt;script&gt;</p>", id="entities-stay-entities"),
        pytest.param("[x](javascript:alert(1))", "<p>x</p>", id="javascript-link"),
        pytest.param("![x](http://evil.example/x.png)", "<p>x</p>", id="external-image"),
    ],
)
def test_exact_escaping(text, expected):
    assert render(text) == expected


# Links whose target is not http, https, mailto or relative lose the link and keep the text.
HOSTILE_TARGETS = [
    pytest.param("javascript:alert(1)", id="javascript"),
    pytest.param("JaVaScRiPt:alert(1)", id="mixed-case"),
    pytest.param("java\tscript:alert(1)", id="tab-inside"),
    pytest.param("java&#x09;script:alert(1)", id="tab-entity"),
    pytest.param("java&Tab;script:alert(1)", id="tab-named-entity"),
    pytest.param("\x01javascript:alert(1)", id="leading-control"),
    pytest.param("\u00a0javascript:alert(1)", id="leading-nbsp"),
    pytest.param("java\u200bscript:alert(1)", id="zero-width-space"),
    pytest.param("&#106;avascript:alert(1)", id="decimal-entity"),
    pytest.param("&#x6A;avascript:alert(1)", id="hex-entity"),
    pytest.param("&#X6A;avascript:alert(1)", id="hex-entity-upper-x"),
    pytest.param("&#x6A&#x61vascript:alert(1)", id="entities-without-semicolons"),
    pytest.param("javas&#99;ript:alert(1)", id="entity-mid-scheme"),
    pytest.param("javascript&colon;alert(1)", id="named-colon"),
    pytest.param("javascript&#58;alert(1)", id="decimal-colon"),
    pytest.param("javascript&#0000058alert(1)", id="padded-colon-no-semicolon"),
    pytest.param("&amp;#106;avascript:alert(1)", id="double-encoded"),
    pytest.param("javascript:123", id="scheme-digits"),
    pytest.param("javascript://example.com/%0Aalert(1)", id="javascript-comment-trick"),
    pytest.param("<javascript:alert(1)>", id="angle-bracketed"),
    pytest.param("vbscript:msgbox(1)", id="vbscript"),
    pytest.param("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", id="data-html"),
    pytest.param("data:image/svg+xml,<svg onload=alert(1)>", id="data-svg"),
    pytest.param("file:///etc/passwd", id="file"),
    pytest.param("tel:123", id="other-scheme"),
]


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_markdown_link_with_hostile_target_becomes_its_text(target):
    html = render(f"[click me]({target})")
    assert_inert(html)
    assert links(html) == []
    assert visible_text(html) == "click me"


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_image_with_hostile_target_becomes_its_alt_text(target):
    html = render(f"![the alt]({target})")
    assert_inert(html)
    assert links(html) == []
    assert visible_text(html) == "the alt"


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_reference_link_with_hostile_target_becomes_its_text(target):
    html = render(f"See [a][r].\n\n[r]: {target}")
    assert_inert(html)
    assert links(html) == []
    # Python-Markdown ignores a definition it cannot parse; either way no link is made.
    assert visible_text(html).startswith(("See a.", "See [a][r]."))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<javascript:alert(1)>", id="autolink-javascript"),
        pytest.param("javascript:alert(1)", id="bare-javascript"),
        pytest.param("ftp://evil.example/x and data:evil.example", id="bare-other-schemes"),
        pytest.param("xmpp:evil.example.com", id="bare-xmpp"),
    ],
)
def test_no_autolink_for_other_schemes(text):
    html = render(text)
    assert_inert(html)
    assert links(html) == []
    assert visible_text(html) == text


def test_nested_brackets_link_only_to_the_safe_target():
    html = render("[[x](javascript:1)](http://ok.example)")
    assert_inert(html)
    assert links(html) == [{"href": "http://ok.example", "rel": LINK_REL}]


@pytest.mark.parametrize(
    "text, title",
    [
        pytest.param('[a](http://x.example "\\" onmouseover=alert(1)")', '\\" onmouseover=alert(1)',
                     id="backslash-quote"),
        pytest.param('[a](http://x.example "a" onmouseover="b")', 'a" onmouseover="b', id="second-quoted"),
        pytest.param("[a](http://x.example 'a\" b')", 'a" b', id="single-quoted"),
        pytest.param('[a](http://x.example "&quot; onmouseover=&quot;x")', '" onmouseover="x', id="entity-quotes"),
    ],
)
def test_link_title_cannot_break_out_of_its_attribute(text, title):
    html = render(text)
    assert_inert(html)
    assert links(html) == [{"href": "http://x.example", "title": title, "rel": LINK_REL}]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('[x](http://a.example/"onmouseover="alert(1))', id="double-quote-in-url"),
        pytest.param("[x](http://a.example/' onmouseover='alert(1))", id="single-quote-in-url"),
        pytest.param('[x](#" onmouseover="alert(1))', id="quote-in-fragment"),
        pytest.param('<https://ok.example/"onmouseover="alert(1)>', id="quote-in-autolink"),
        pytest.param('www.ok.example/"onmouseover=alert(1)', id="quote-in-bare-url"),
    ],
)
def test_quotes_in_a_url_stay_inside_href(text):
    html = render(text)
    assert_inert(html)
    for link in links(html):
        assert set(link) == {"href", "rel"}


@pytest.mark.parametrize(
    "text, shown",
    [
        pytest.param("A paragraph {: onclick=alert(1) }", "A paragraph {: onclick=alert(1) }", id="paragraph"),
        pytest.param("# Heading {: onclick=alert(1) }", "Heading {: onclick=alert(1) }", id="heading"),
        pytest.param("[x](http://ok.example){: onclick=alert(1) }", "x{: onclick=alert(1) }", id="link"),
        pytest.param("```{.python onclick=alert(1)}\ncode\n```", "code\n", id="fenced-code"),
    ],
)
def test_attribute_lists_are_not_interpreted(text, shown):
    html = render(text)
    assert_inert(html)
    assert "onclick" not in {name for node in elements(html) for name in node.attrib}
    assert visible_text(html) == shown  # the attr_list extension is off: "{: ...}" stays text


def test_table_alignment_uses_align_not_style():
    html = render("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |")
    assert_inert(html)
    cells = [(node.tag, node.get("align")) for node in elements(html) if node.tag in ("th", "td")]
    assert cells == [
        ("th", "left"), ("th", "center"), ("th", "right"),
        ("td", "left"), ("td", "center"), ("td", "right"),
    ]
    assert "style=" not in html


@pytest.mark.parametrize(
    "text, alt",
    [
        pytest.param("![x](http://evil.example/x.png)", "x", id="http"),
        pytest.param("![a cat](https://evil.example/cat.png \"title\")", "a cat", id="https-with-title"),
        pytest.param("![x](/local.png)", "x", id="relative"),
        pytest.param("![x](data:image/png;base64,AAAA)", "x", id="data"),
        pytest.param('![x" onerror="alert(1)](http://evil.example/x.png)', 'x" onerror="alert(1)', id="alt-breakout"),
        pytest.param("![x][img]\n\n[img]: http://evil.example/x.png", "x", id="reference"),
    ],
)
def test_images_become_alt_text_and_are_never_fetched(text, alt):
    html = render(text)
    assert_inert(html)
    assert "<img" not in html
    assert visible_text(html) == alt


def test_image_inside_a_link_leaves_the_link_with_the_alt_text():
    html = render("Before ![one](http://e.example/1.png) middle "
                  "[![two](http://e.example/2.png)](https://ok.example) end")
    assert_inert(html)
    assert "<img" not in html
    assert visible_text(html) == "Before one middle two end"
    assert links(html) == [{"href": "https://ok.example", "rel": LINK_REL}]


# An image becomes its alt text in place: the text around it stays, in order, whatever comes
# before it (text, emphasis, a link, another image) and whether or not anything follows.
@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("Thanks *Ana* ![the team](x.png) for the launch",
                     "<p>Thanks <em>Ana</em> the team for the launch</p>", id="after-emphasis"),
        pytest.param("Thanks **Ana** ![the team](x.png) for the launch",
                     "<p>Thanks <strong>Ana</strong> the team for the launch</p>", id="after-bold"),
        pytest.param("Thanks *Ana*![the team](x.png)!", "<p>Thanks <em>Ana</em>the team!</p>", id="glued"),
        pytest.param("See [the page](https://example.com) ![a chart](c.png) for more",
                     f'<p>See <a href="https://example.com" rel="{LINK_REL}">the page</a> a chart for more</p>',
                     id="after-a-link"),
        pytest.param("Thanks *Ana* and **Bo** ![the team](x.png) for the launch",
                     "<p>Thanks <em>Ana</em> and <strong>Bo</strong> the team for the launch</p>",
                     id="after-the-second-of-two"),
        pytest.param("![one](1.png) and ![two](2.png) together", "<p>one and two together</p>", id="two-images"),
        pytest.param("Thanks *Ana* ![one](1.png) ![two](2.png) both",
                     "<p>Thanks <em>Ana</em> one two both</p>", id="two-after-emphasis"),
        pytest.param("Thanks *Ana* ![the team](x.png)", "<p>Thanks <em>Ana</em> the team</p>", id="at-the-end"),
        pytest.param("*![the team](x.png) first* then", "<p><em>the team first</em> then</p>", id="first-inside"),
        pytest.param("Thanks *Ana* ![](x.png) for the launch", "<p>Thanks <em>Ana</em>  for the launch</p>",
                     id="no-alt-text"),
    ],
)
def test_an_image_among_inline_markup_keeps_the_text_after_it(text, expected):
    html = render(text)
    assert html == expected
    assert_inert(html)


# Everything above at once, as a single story: still inert.
def test_all_hostile_inputs_together_render_inert():
    text = "\n\n".join(
        [param.values[0] for param in TYPED_HTML]
        + [f"[x]({param.values[0]}) ![y]({param.values[0]})" for param in HOSTILE_TARGETS]
    )
    assert_inert(render(text))


# Ordinary Markdown.
@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("*em* and **strong**", "<p><em>em</em> and <strong>strong</strong></p>", id="emphasis"),
        pytest.param("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>", id="bullet-list"),
        pytest.param("1. x\n2. y", "<ol>\n<li>x</li>\n<li>y</li>\n</ol>", id="numbered-list"),
        pytest.param("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>", id="block-quote"),
        pytest.param(
            "```\n<script>alert(1)</script>\n```",
            "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>",
            id="fenced-code-escapes-html",
        ),
        pytest.param("`<b>code</b>`", "<p><code>&lt;b&gt;code&lt;/b&gt;</code></p>", id="inline-code-escapes-html"),
        pytest.param("# One", "<h2>One</h2>", id="h1-becomes-h2"),
        pytest.param("## Two", "<h2>Two</h2>", id="h2"),
        pytest.param("### Three", "<h3>Three</h3>", id="h3"),
        pytest.param("#### Four", "<h4>Four</h4>", id="h4"),
        pytest.param("##### Five", "<h4>Five</h4>", id="h5-becomes-h4"),
        pytest.param("###### Six", "<h4>Six</h4>", id="h6-becomes-h4"),
        pytest.param("a\n\n---\n\nb  \nc", "<p>a</p>\n<hr>\n<p>b<br>\nc</p>", id="rule-and-line-break"),
        pytest.param(
            "| a | b |\n|:--|--:|\n| 1 | 2 |",
            '<table>\n<thead>\n<tr>\n<th align="left">a</th>\n<th align="right">b</th>\n</tr>\n'
            '</thead>\n<tbody>\n<tr>\n<td align="left">1</td>\n<td align="right">2</td>\n</tr>\n'
            "</tbody>\n</table>",
            id="table-with-align",
        ),
        pytest.param(
            "[x](http://example.com)",
            f'<p><a href="http://example.com" rel="{LINK_REL}">x</a></p>',
            id="http-link",
        ),
        pytest.param(
            "[x](https://example.com/a?b=1&c=2)",
            f'<p><a href="https://example.com/a?b=1&amp;c=2" rel="{LINK_REL}">x</a></p>',
            id="https-link-with-query",
        ),
        pytest.param(
            "[m](mailto:someone@example.com)",
            f'<p><a href="mailto:someone@example.com" rel="{LINK_REL}">m</a></p>',
            id="mailto-link",
        ),
        pytest.param(
            '[x](https://example.com "The title")',
            f'<p><a href="https://example.com" title="The title" rel="{LINK_REL}">x</a></p>',
            id="link-with-title",
        ),
        pytest.param(
            "visit www.example.com today",
            f'<p>visit <a href="http://www.example.com" rel="{LINK_REL}">www.example.com</a> today</p>',
            id="bare-www-linkified",
        ),
        pytest.param(
            "see https://example.com/x",
            f'<p>see <a href="https://example.com/x" rel="{LINK_REL}">https://example.com/x</a></p>',
            id="bare-https-linkified",
        ),
        pytest.param(
            "<https://example.com>",
            f'<p><a href="https://example.com" rel="{LINK_REL}">https://example.com</a></p>',
            id="autolink",
        ),
        pytest.param("`www.example.com`", "<p><code>www.example.com</code></p>", id="no-linkify-in-code"),
        pytest.param(
            "[a](/stories/1) [b](stories/2) [c](#top) [d](?page=2)",
            f'<p><a href="/stories/1" rel="{LINK_REL}">a</a> <a href="stories/2" rel="{LINK_REL}">b</a> '
            f'<a href="#top" rel="{LINK_REL}">c</a> <a href="?page=2" rel="{LINK_REL}">d</a></p>',
            id="relative-links",
        ),
        pytest.param(
            "[a][r]\n\n[r]: https://example.com",
            f'<p><a href="https://example.com" rel="{LINK_REL}">a</a></p>',
            id="reference-link",
        ),
        pytest.param("", "", id="empty"),
    ],
)
def test_ordinary_markdown(text, expected):
    html = render(text)
    assert html == expected
    assert_inert(html)


def test_email_autolink_keeps_a_mailto_target():
    [link] = links(render("<someone@example.com>"))
    assert link == {"href": "mailto:someone@example.com", "rel": LINK_REL}


def test_render_returns_markup():
    assert isinstance(render("*hi*"), Markup)
    assert isinstance(render(""), Markup)
    assert render(None) == ""


def test_rendering_twice_gives_the_same_output():
    text = "# T\n\n*a* [b](https://example.com) www.example.com <script>x</script>\n\n| a |\n|--|\n| 1 |"
    assert render(text) == render(text)


def test_reference_definitions_do_not_leak_into_the_next_render():
    render("[a][r]\n\n[r]: https://example.com")
    assert render("[a][r]") == "<p>[a][r]</p>"


@pytest.mark.parametrize(
    "url, safe",
    [
        ("http://example.com", True),
        ("HTTPS://example.com", True),
        ("mailto:someone@example.com", True),
        ("&#109;&#97;&#105;&#108;&#116;&#111;&#58;a@b.example", True),
        ("mailto:jo@example.com?subject=Re:%20thanks", True),  # a colon after the scheme's
        ("/stories/1", True),
        ("stories/1", True),
        ("../up", True),
        ("#top", True),
        ("?page=2", True),
        ("", True),
        ("//cdn.example/x", True),  # protocol-relative: http or https
        ("a/b:c", True),  # a colon after the first slash is part of the path
        ("docs/a:b/c", True),
        ("ht\ttps://example.com", True),  # read as https, as a browser reads it
        ("\x01https://example.com", True),
        ("javascript%3Aalert(1)", True),  # a percent-encoded colon is not a scheme
        ("javascript&#x3A1", True),  # decodes to "javascriptΡ": no colon at all
        ("javascript:alert(1)", False),
        ("JAVASCRIPT:alert(1)", False),
        ("javascript:123", False),
        (" javascript:alert(1)", False),
        ("\x00javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("java\nscript:alert(1)", False),
        ("&#106;avascript:alert(1)", False),
        ("&#x6A;avascript:alert(1)", False),
        ("javascript&colon;alert(1)", False),
        ("javascript&#58;alert(1)", False),
        ("&amp;#106;avascript:alert(1)", False),
        ("&amp;amp;amp;amp;amp;#106;avascript:alert(1)", False),
        ("&amp;amp;amp;#104;ttps://example.com", True),  # encoded four times: decoded four times
        ("&amp;amp;amp;amp;#104;ttps://example.com", False),  # five times: refused, even https
        ("vbscript:msgbox(1)", False),
        ("data:text/html;base64,PHNjcmlwdD4=", False),
        ("data:image/svg+xml,<svg/>", False),
        ("file:///etc/passwd", False),
        ("ftp://example.com", False),
        ("tel:123", False),
        ("?a:b", False),  # a colon before any slash is treated as a scheme, to be safe
    ],
)
def test_is_safe_url(url, safe):
    assert is_safe_url(url) is safe


# Every character is_safe_url ignores, one from each range: ignored inside a safe scheme too.
IGNORED_IN_A_SCHEME = [
    "\t", "\x1f", "\x7f", "\x85", "\xa0", "\u1680", "\u180e", "\u2000", "\u200b", "\u200f", "\u2028",
    "\u202e", "\u205f", "\u2060", "\u2064", "\u3000", "\ufeff",
]


@pytest.mark.parametrize("ignored", IGNORED_IN_A_SCHEME, ids=[f"U+{ord(c):04X}" for c in IGNORED_IN_A_SCHEME])
def test_a_character_ignored_in_a_scheme_is_ignored_in_a_safe_one_too(ignored):
    assert is_safe_url(f"ht{ignored}tps://example.com") is True
    assert is_safe_url(f"java{ignored}script:alert(1)") is False


# The two defences, each on its own: bleach's attribute filter, and the link callback that
# turns a link without a safe target into its text. render() alone cannot tell them apart.
@pytest.mark.parametrize(
    "tag, name, value, kept",
    [
        ("a", "href", "https://example.com", True),
        ("a", "href", "javascript:123", False),
        ("a", "title", "javascript:123", True),  # a title is text, never followed
        ("a", "onclick", "https://example.com", False),
        ("a", "rel", "https://example.com", False),
        ("th", "align", "center", True),
        ("td", "align", "right", True),
        ("td", "align", "justify", False),
        ("td", "valign", "left", False),
        ("p", "align", "left", False),
    ],
)
def test_the_attribute_filter_alone(tag, name, value, kept):
    assert markdown._allow_attribute(tag, name, value) is kept


def test_the_link_callback_alone():
    assert markdown._set_link_rel({(None, "href"): "javascript:123"}, False) is None
    assert markdown._set_link_rel({(None, "title"): "no target"}, False) is None
    assert markdown._set_link_rel({(None, "href"): "/stories/1"}, True) == {
        (None, "href"): "/stories/1", (None, "rel"): LINK_REL,
    }


def test_each_thread_builds_its_parser_once():
    # Building a parser costs more than rendering a story; sharing one across threads would mix
    # their documents.
    assert markdown._converter() is markdown._converter()
    other = []
    thread = threading.Thread(target=lambda: other.append(markdown._converter()))
    thread.start()
    thread.join()
    assert other[0] is not markdown._converter()


def test_stored_html_is_marked_safe_as_it_is():
    assert markdown.stored("<p>Hello <em>there</em></p>") == Markup("<p>Hello <em>there</em></p>")
    assert isinstance(markdown.stored(None), Markup) and markdown.stored(None) == ""


# Inputs that used to crash the parser or make it crawl. Their speed is measured in
# bench/markdown_worst_case.py; here we check they render, inert and readable.
@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("1. " * 6000, "1. 1. 1."),          # nested lists beyond Python's recursion limit
        ("> " * 3000 + "deep", "deep"),       # nested quotes
        ("[" * 5000, "[[[["),                  # quadratic link scanning upstream
        ("[a](" * 3000, "[a]([a]("),
        ("(" * 5000, "(((("),                  # quadratic in bleach's bare-URL pattern
    ],
    ids=["nested-lists", "nested-quotes", "bracket-run", "open-links", "paren-run"],
)
def test_pathological_input_still_renders_as_text(text, visible):
    html = str(render(text))
    assert visible in html
    assert "<a " not in html


def test_too_deep_nesting_falls_back_to_plain_paragraphs_and_the_next_render_is_normal():
    html = render("1. " * 6000 + "\n\n\n\n  second <b>  \n\n  \n\nthird")
    assert html == "<p>" + ("1. " * 6000).strip() + "</p><p>second &lt;b&gt;</p><p>third</p>"
    assert render("*fine*") == "<p><em>fine</em></p>"


@pytest.mark.parametrize(
    "padding, linked",
    [
        pytest.param("(aside) " * 398, True, id="400"),
        pytest.param("(aside) " * 399, False, id="401"),
        pytest.param("[aside] " * 398, True, id="400-square-brackets"),
        pytest.param("[aside] " * 399, False, id="401-square-brackets"),
    ],
)
def test_the_bracket_limit_is_400(padding, linked):
    # The link itself holds one [ and one (; past the limit it is shown as typed (its bare
    # address is still linked).
    html = str(render("Thanks [team](https://example.com)! " + padding))
    assert (f'<a href="https://example.com" rel="{LINK_REL}">team</a>' in html) is linked
    assert ("Thanks [team](" in html) is not linked


def test_past_the_limit_a_reference_link_stays_literal_too():
    html = str(render("Thanks [team][r]! " + "(aside) " * 400 + "\n\n[r]: /stories/1"))
    assert "Thanks [team][r]!" in html and "[r]: /stories/1" in html
    assert "<a " not in html


def test_brackets_past_the_limit_stay_literal_but_text_survives():
    text = "Thanks [team](https://example.com)! " + "(aside) " * 400
    html = str(render(text))
    assert "Thanks [team](" in html  # shown as typed, no longer a Markdown link
    assert ">team</a>" not in html
    assert "(aside) (aside)" in html
