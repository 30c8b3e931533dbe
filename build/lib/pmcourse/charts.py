"""The course's plotly look: readable, colour-blind-safe, used by every chart.

`use_course_style()` (called in every notebook's setup cell) registers the
`pmcourse` template and makes it the default, so plain `plotly.express` calls
get it without any extra argument.
"""

from __future__ import annotations

import sys

import plotly.graph_objects as go
import plotly.io as pio

# Okabe & Ito (2008), the palette designed to stay distinct under the common
# colour-vision deficiencies; black last so it is used for the seventh series.
OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
]
# A sequential scale that reads in grey scale too (cividis).
SEQUENTIAL = "cividis"
TEMPLATE_NAME = "pmcourse"


def course_template() -> go.layout.Template:
    """The template: white background, large text, Okabe-Ito colours."""
    return go.layout.Template(
        layout=dict(
            colorway=OKABE_ITO,
            font=dict(family="Arial, Helvetica, sans-serif", size=14, color="#222222"),
            title=dict(font=dict(size=18), x=0.0, xanchor="left"),
            colorscale=dict(sequential=SEQUENTIAL, sequentialminus=SEQUENTIAL),
            legend=dict(title_font=dict(size=13)),
            hoverlabel=dict(font_size=13),
            margin=dict(l=60, r=30, t=70, b=60),
        )
    )


def use_course_style() -> None:
    """Make `plotly_white` + the course template the default for every new figure."""
    pio.templates[TEMPLATE_NAME] = course_template()
    pio.templates.default = f"plotly_white+{TEMPLATE_NAME}"
    skip_iri_grammar()
    # plotly imports its renderers (and, through nbformat, jsonschema) on the
    # first figure shown: pay that in the setup cell.
    pio.renderers.default  # noqa: B018


def skip_iri_grammar() -> None:
    """Keep jsonschema from compiling rfc3987_syntax's IRI grammar in the learner's kernel.

    plotly's notebook renderer imports nbformat, which imports jsonschema, whose
    format checkers import rfc3987_syntax if it is installed (jupyter-events needs
    it); that package builds ~35 Earley parsers at import: 1.2-1.6 s of CPU on an
    idle 2-core machine, more than half of every setup cell (jsonschema issue
    #1428). Nothing in a notebook checks the "iri" format. A `None` entry in
    sys.modules makes that one optional import fail, which jsonschema expects.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)
