"""The catalogue's front pages: home, departments, and the list of all datasets."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from catalogue import browse
from web.auth import current_reader
from web.extensions import session
from web.params import flag, paging, text, twin

bp = Blueprint("pages", __name__)

RECENT = 6


@bp.get("/")
def home() -> str:
    reader = current_reader()
    with session() as s:
        departments = browse.departments(s, reader)
        count, recent = browse.datasets(s, reader, per_page=RECENT)
    return render_template("home.html", departments=departments, count=count, recent=recent,
                           json_url=url_for("api.index"))


@bp.get("/departments")
def department_list() -> str:
    with session() as s:
        departments = browse.departments(s, current_reader())
    return render_template("departments.html", departments=departments,
                           json_url=url_for("api.department_list"))


@bp.get("/departments/<slug>")
def department(slug: str) -> str:
    reader, pager = current_reader(), paging()
    with session() as s:
        found = browse.department(s, reader, slug)
        count, results = browse.datasets(s, reader, department=slug, page=pager.page,
                                         per_page=pager.per_page)
    return render_template("department.html", department=found, count=count, results=results,
                           paging=pager, json_url=twin("api.department", slug=slug))


@bp.get("/datasets")
def dataset_list() -> str:
    reader, pager = current_reader(), paging()
    department, include_retired = text("department"), flag("include_retired")
    with session() as s:
        departments = browse.departments(s, reader)
        count, results = browse.datasets(s, reader, department=department,
                                         include_retired=include_retired,
                                         page=pager.page, per_page=pager.per_page)
    return render_template("datasets.html", departments=departments, count=count,
                           results=results, paging=pager, department=department,
                           include_retired=include_retired, json_url=twin("api.dataset_list"))
