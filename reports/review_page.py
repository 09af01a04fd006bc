"""Render a sync run's review page: one static HTML file (Jinja2, autoescaped)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from ferry.fsutil import write_text_atomic
from reports.review_data import ReviewData


def diff_class(line: str) -> str:
    """CSS class of one unified-diff line."""
    if line.startswith(("+++", "---", "diff ", "index ")):
        return "meta"
    if line.startswith("@@"):
        return "hunk"
    if line.startswith("+"):
        return "add"
    if line.startswith("-"):
        return "del"
    return "ctx"


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
    )
    env.filters["diffclass"] = diff_class
    return env


def render_review(data: ReviewData) -> str:
    template = environment().get_template("review.html.j2")
    return template.render(s=data.summary, commits=data.commits)


def write_review(data: ReviewData, output: Path) -> Path:
    write_text_atomic(output, render_review(data))
    output.chmod(0o644)  # a page to publish; the temp file it was renamed from was private
    return output
