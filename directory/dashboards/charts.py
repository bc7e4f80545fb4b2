"""Horizontal bar charts drawn on the server as SVG (no script, no external library).

A chart is its rows (label, value, link) and their geometry; the template draws the bars and
puts the same rows in a table beside them, which screen readers read instead of the picture.
A chart says the period it covers, and may be drawn from a dashboard table
(:func:`chart_of`), whose CSV download it then links to.
"""

from __future__ import annotations

from dataclasses import dataclass

# The drawing's coordinate system (the SVG scales to the width of its box).
WIDTH = 360
LABEL_SPACE = 130  # left of the bars, for their labels
LABEL_CHARS = 20  # longer labels are shortened in the drawing (whole in the table)
ROW_HEIGHT = 22
BAR_HEIGHT = 14
VALUE_SPACE = 40  # right of the longest bar, for its number


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    href: str
    title: str
    y: int
    width: int

    @property
    def x(self) -> int:
        return LABEL_SPACE

    @property
    def label_x(self) -> int:
        return LABEL_SPACE - 6

    @property
    def short_label(self) -> str:
        if len(self.label) <= LABEL_CHARS:
            return self.label
        return self.label[: LABEL_CHARS - 1].rstrip() + "…"

    @property
    def text_x(self) -> int:
        return LABEL_SPACE + self.width + 4

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 3


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    bars: tuple[Bar, ...]
    period: str = ""
    csv_url: str = ""
    total_rows: int = 0  # rows of the whole table (more than the bars when it is cut)

    @property
    def truncated(self) -> bool:
        return self.total_rows > len(self.bars)

    @property
    def height(self) -> int:
        return max(ROW_HEIGHT, len(self.bars) * ROW_HEIGHT)

    @property
    def width(self) -> int:
        return WIDTH


def bar_chart(
    chart_id: str, title: str, rows, *, period: str = "", csv_url: str = "", total_rows: int = 0
) -> Chart:
    """``rows``: (label, value, href, title) in the order to draw them."""
    rows = list(rows)
    top = max((value for _l, value, _h, _t in rows), default=0)
    room = WIDTH - LABEL_SPACE - VALUE_SPACE
    bars = tuple(
        Bar(
            label=label,
            value=value,
            href=href,
            title=tip,
            y=i * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) // 2,
            # A value above zero is always visible, however small beside the largest.
            width=max(2, round(value * room / top)) if top and value else 0,
        )
        for i, (label, value, href, tip) in enumerate(rows)
    )
    return Chart(
        id=chart_id,
        title=title,
        bars=bars,
        period=period,
        csv_url=csv_url,
        total_rows=max(total_rows, len(bars)),
    )


def chart_of(table, label: int, value: int) -> Chart:
    """The chart of a dashboard table (``tables.Table``): its ``label`` column's cells (text,
    link, tooltip) against its ``value`` column's numbers, for the rows the page shows."""
    rows = [
        (row[label].text, row[value].value, row[value].href, row[value].title)
        for row in table.page_rows
    ]
    return bar_chart(
        table.id,
        table.title,
        rows,
        period=table.period,
        csv_url=table.csv_url,
        total_rows=len(table.rows),
    )
