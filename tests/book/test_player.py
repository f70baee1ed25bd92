"""logreg_book.player: the kernel-free HTML animation of a demo."""

import base64
import io
import json
import re

import PIL.Image
import pytest

from logreg_book import widgets


def test_animation_player_is_self_contained_and_labelled():
    demo = widgets.training_widget(n_iter=12)
    html = demo.animation("iteration", [3, 6, 9, 12])
    data = json.loads(re.search(r'class="lp-data">(.*?)</script>', html).group(1))
    assert len(data["frames"]) == 4 and all(len(panels) == 2 for panels in data["frames"])
    assert data["labels"] == ["iteration = 3", "iteration = 6", "iteration = 9", "iteration = 12"]
    assert "http://" not in html and "https://" not in html
    # It starts at the live control's value (12, the end of training), and names the value.
    assert '<output class="lp-value">iteration = 12</output>' in html
    assert 'aria-label="iteration"' in html and 'aria-valuetext="iteration = 12"' in html
    # Frames are rendered at twice the size they are shown at, and cut between the panels.
    sizes = [PIL.Image.open(io.BytesIO(base64.b64decode(p))).size for p in data["frames"][0]]
    shown = [
        tuple(map(int, m)) for m in re.findall(r'<img [^>]*width="(\d+)" height="(\d+)"', html)
    ]
    assert [(w // 2, h // 2) for w, h in sizes] == shown
    assert all(w % 2 == 0 for w, _ in sizes)  # shown at exactly half size: text not shrunk
    assert sum(w for w, _ in shown) == pytest.approx(72 * 9, abs=2)  # the figure is 9 in wide
    with pytest.raises(ValueError, match="no control 'T'"):
        demo.animation("T", [1.0])


def test_player_of_a_plain_figure_shows_its_start_frame_and_checks_its_arguments():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from logreg_book.player import animation_html

    fig = Figure(figsize=(2, 1), dpi=144)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    drawn = []

    def draw(value):
        drawn.append(value)
        ax.clear()
        ax.axhline(value)

    html = animation_html(fig, draw, [0.25, 0.5, 0.75], name="c", start=1, alt="A line")
    data = json.loads(re.search(r'class="lp-data">(.*?)</script>', html).group(1))
    assert [len(panels) for panels in data["frames"]] == [1, 1, 1]  # one panel: not cut
    assert len(set(panels[0] for panels in data["frames"])) == 3  # each frame its own image
    assert drawn[-3:] == [0.25, 0.5, 0.75]
    # The frame shown first (and printed) is the start frame, at half its pixel size.
    assert f'src="data:image/png;base64,{data["frames"][1][0]}" width="144" height="72"' in html
    assert 'alt="A line from c = 0.25 to c = 0.75"' in html and 'data-frame="1"' in html
    # Its smallest text, the 10-pt tick labels, in frame pixels (144 dpi): 20 px.
    assert 'data-min-text-px="20.000"' in html
    with pytest.raises(ValueError, match="frames is empty; expected at least one"):
        animation_html(fig, draw, [], name="c")
    with pytest.raises(ValueError, match=r"start must index frames \(0 to 2\); received 3"):
        animation_html(fig, draw, [1, 2, 3], name="c", start=3)
