"""The chat panel renders an answer's Markdown without raw HTML, images or links."""

from crossdock.copilot.model import Answer, Citation
from crossdock.entrypoints.web.copilot_pages import _shown


def test_markup_images_and_links_in_an_answer_are_shown_as_text():
    text = (
        "**Held** [1] <script>alert(1)</script> ![x](https://evil.example/p.png?u=pat) "
        "[log in](https://evil.example/login) <https://evil.example>"
    )
    shown = _shown(
        Answer("q", text, (Citation("record", "recommendations/7", "recommendation 7"),))
    )
    html = str(shown["html"])
    assert "<strong>Held</strong>" in html
    assert "<script>" not in html
    assert "<img" not in html
    assert "<a " not in html
    assert shown["sources"][0]["link"] == "/recommendations/7"
