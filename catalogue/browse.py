"""Reading the catalogue: departments, datasets, versions, lineage. Every read is filtered by
`catalogue.access`, in the query itself: a dataset the reader may not see is not found."""

from __future__ import annotations

import shlex

from sqlalchemy import func, tuple_
from sqlmodel import Session, select

from catalogue.access import Reader, can_read, discoverable, first_readable_version, readable
from catalogue.errors import DatasetNotFound, NotFound, VersionNotFound
from catalogue.models import (
    Dataset,
    Department,
    LineageEdge,
    Problem,
    Registry,
    Version,
    VersionFile,
)
from catalogue.schemas import (
    DatasetDetail,
    DatasetSummary,
    DepartmentPublic,
    DiscoveredDataset,
    FilePublic,
    HowToGet,
    Lineage,
    LineageLink,
    ProblemPublic,
    VersionDetail,
    VersionPublic,
)


def departments(s: Session, reader: Reader) -> list[DepartmentPublic]:
    """Every department, with how many datasets the reader may read or discover in it."""
    counts = dict(s.exec(
        select(Dataset.department, func.count(Dataset.id))
        .where(discoverable(reader), Dataset.retired == False)  # noqa: E712
        .group_by(Dataset.department)
    ).all())
    return [DepartmentPublic(slug=d.slug, name=d.name, dataset_count=counts.get(d.slug, 0))
            for d in s.exec(select(Department).order_by(Department.name))]


def department(s: Session, reader: Reader, slug: str) -> DepartmentPublic:
    for dept in departments(s, reader):
        if dept.slug == slug:
            return dept
    raise NotFound(f"No department {slug}")


def datasets(
    s: Session, reader: Reader, *, department: str | None = None, include_retired: bool = False,
    page: int = 1, per_page: int = 50,
) -> tuple[int, list[DatasetSummary]]:
    """A page of readable datasets, most recently updated first, with the total count; the
    discoverable ones the reader may not read among them, marked restricted."""
    query = select(Dataset).where(discoverable(reader))
    if department:
        query = query.where(Dataset.department == department)
    if not include_retired:
        query = query.where(Dataset.retired == False)  # noqa: E712
    total = s.exec(select(func.count()).select_from(query.subquery())).one()
    rows = s.exec(query.order_by(Dataset.updated_at.desc(), Dataset.id)
                  .offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    names = _department_names(s)
    problems = _problem_counts(s, [d.key for d in rows])
    return total, [_summary(d, names, problems.get(d.key, 0)) if can_read(reader, d)
                   else _restricted(d, names) for d in rows]


def discovered(s: Session, reader: Reader, department: str, slug: str) -> DiscoveredDataset:
    """What the reader may know of a discoverable dataset it may not read (else not found)."""
    row = s.exec(select(Dataset).where(Dataset.department == department, Dataset.slug == slug,
                                       discoverable(reader))).first()
    if row is None:
        raise DatasetNotFound(f"{department}/{slug}")
    return DiscoveredDataset(
        id=row.key, department=row.department,
        department_name=_department_names(s).get(row.department, row.department),
        slug=row.slug, title=row.title, description=row.description, owners=row.owners,
        tags=row.tags, version_count=row.version_count)


def dataset_or_discovered(s: Session, reader: Reader, department: str,
                          slug: str) -> DatasetDetail | DiscoveredDataset:
    """The dataset, or what the reader may know of it when it is discoverable only."""
    try:
        return dataset(s, reader, department, slug)
    except DatasetNotFound:
        return discovered(s, reader, department, slug)


def dataset(s: Session, reader: Reader, department: str, slug: str) -> DatasetDetail:
    row = _dataset_row(s, reader, department, slug)
    registry = s.get(Registry, row.registry_id)
    current = _current_version(s, row)
    problems = s.exec(select(Problem).where(Problem.dataset_key == row.key,
                                            Problem.registry_id == row.registry_id)
                      .order_by(Problem.file, Problem.line)).all()
    summary = _summary(row, _department_names(s), len(problems))
    detail = DatasetDetail(
        **summary.model_dump(), owners=row.owners, personal_data=row.personal_data,
        update_frequency=row.update_frequency, derived_from=_readable_sources(s, reader, row),
        temporal_coverage=row.temporal_coverage, spatial_coverage=row.spatial_coverage,
        contact=row.contact, extra=row.extra, created_at=row.created_at,
        registry=registry.name, registry_url=registry.url, retired_sha=row.retired_sha,
        problems=[ProblemPublic.model_validate(p, from_attributes=True) for p in problems],
        current_version=VersionPublic.model_validate(current, from_attributes=True)
        if current else None,
    )
    if current:
        files = _files(s, current)
        detail.how_to_get = [how_to_get(registry.url, current.commit_sha, row.key, f.path,
                                        f.is_dir)
                             for f in files]
    return detail


def versions(s: Session, reader: Reader, department: str, slug: str,
             limit: int | None = None) -> list[VersionPublic]:
    """The dataset's versions, newest first (the `limit` newest when given)."""
    row = _dataset_row(s, reader, department, slug)
    rows = s.exec(select(Version).where(Version.dataset_id == row.id,
                                        Version.number >= first_readable_version(reader, row))
                  .order_by(Version.number.desc()).limit(limit)).all()
    return [VersionPublic.model_validate(v, from_attributes=True) for v in rows]


def version(s: Session, reader: Reader, department: str, slug: str, number: int) -> VersionDetail:
    row = _dataset_row(s, reader, department, slug)
    found = _version_row(s, reader, row, number)
    return VersionDetail(
        **VersionPublic.model_validate(found, from_attributes=True).model_dump(),
        dataset=row.key, files=_files(s, found),
        upstream=_upstream(s, reader, [found.id]),
    )


def version_file(
    s: Session, reader: Reader, department: str, slug: str, number: int
) -> tuple[Registry, Version, list[FilePublic]]:
    """What a download needs: the registry, the version's commit and its files."""
    row = _dataset_row(s, reader, department, slug)
    found = _version_row(s, reader, row, number)
    return s.get(Registry, row.registry_id), found, _files(s, found)


def lineage(s: Session, reader: Reader, department: str, slug: str) -> Lineage:
    """Upstream of the current version, and every readable dataset whose current version
    was derived from this one. A linked dataset the reader may not see appears as restricted,
    with nothing that names it."""
    row = _dataset_row(s, reader, department, slug)
    current = _current_version(s, row)
    upstream = _upstream(s, reader, [current.id]) if current else []
    downstream_rows = s.exec(
        select(Dataset, LineageEdge.kind)
        .join(Version, Version.dataset_id == Dataset.id)
        .join(LineageEdge, LineageEdge.version_id == Version.id)
        .where(LineageEdge.upstream_key == row.key, Version.number == Dataset.version_count)
        .order_by(Dataset.department, Dataset.slug)
    ).all()
    downstream: dict[tuple, LineageLink] = {}
    for ds, kind in downstream_rows:
        link = (LineageLink(kind=kind, dataset=ds.key, title=ds.title)
                if can_read(reader, ds) else LineageLink(kind=kind, restricted=True))
        downstream.setdefault((link.kind, link.dataset, link.restricted), link)
    return Lineage(dataset=row.key, upstream=upstream, downstream=list(downstream.values()))


def how_to_get(registry_url: str, rev: str, key: str, path: str,
               is_dir: bool = False) -> HowToGet:
    """The `dvc get` command and the Python line that fetch one output at one commit."""
    full = f"{key}/{path}"
    if is_dir:
        python = (f"dvc.api.DVCFileSystem({registry_url!r}, rev={rev!r})"
                  f".get({full!r}, {path!r}, recursive=True)")
    else:
        mode = ")" if full.endswith((".csv", ".json", ".txt", ".geojson")) else ", mode='rb')"
        python = f"dvc.api.read({full!r}, repo={registry_url!r}, rev={rev!r}{mode}"
    return HowToGet(
        registry_url=registry_url, rev=rev, path=full,
        dvc_get=f"dvc get {shlex.quote(registry_url)} {shlex.quote(full)} --rev {rev}",
        python=python,
    )


def _upstream(s: Session, reader: Reader, version_ids: list[int]) -> list[LineageLink]:
    edges = s.exec(select(LineageEdge).where(LineageEdge.version_id.in_(version_ids))
                   .order_by(LineageEdge.kind, LineageEdge.upstream_key, LineageEdge.upstream_ref)
                   ).all()
    links = []
    for edge in edges:
        if edge.upstream_key:
            dept, slug = edge.upstream_key.split("/", 1)
            up = s.exec(select(Dataset).where(Dataset.department == dept,
                                              Dataset.slug == slug)).first()
            if up is None or not can_read(reader, up):
                links.append(LineageLink(kind=edge.kind, restricted=True))
                continue
            number = s.get(Version, edge.upstream_version_id).number \
                if edge.upstream_version_id else None
            if number is not None and number < first_readable_version(reader, up):
                number = None
            links.append(LineageLink(kind=edge.kind, dataset=up.key, title=up.title,
                                     version=number, path=edge.upstream_path))
        else:
            links.append(_external(s, reader, edge))
    return links


def _external(s: Session, reader: Reader, edge: LineageEdge) -> LineageLink:
    """An import from another registry: linked to its dataset when that registry is indexed."""
    link = LineageLink(kind=edge.kind, ref=edge.upstream_ref, path=edge.upstream_path,
                       rev=edge.upstream_rev)
    if edge.kind != "import" or not edge.upstream_path:
        return link
    registry = s.exec(select(Registry).where(Registry.url == edge.upstream_ref)).first()
    parts = edge.upstream_path.split("/")
    if registry is None or len(parts) < 3:
        return link
    up = s.exec(select(Dataset).where(Dataset.registry_id == registry.id,
                                      Dataset.department == parts[0],
                                      Dataset.slug == parts[1])).first()
    if up is None:
        return link
    if not can_read(reader, up):
        return LineageLink(kind=edge.kind, restricted=True)
    number = s.exec(
        select(Version.number).join(VersionFile, VersionFile.version_id == Version.id)
        .where(Version.dataset_id == up.id, VersionFile.md5 == edge.upstream_md5)
        .order_by(Version.number)
    ).first() if edge.upstream_md5 else None
    return LineageLink(kind=edge.kind, dataset=up.key, title=up.title, version=number,
                       ref=edge.upstream_ref, path=edge.upstream_path, rev=edge.upstream_rev)


def _readable_sources(s: Session, reader: Reader, row: Dataset) -> list[str]:
    """The dataset's declared sources, less those naming a dataset this reader may not see
    (the lineage shows them as restricted, with nothing that names them)."""
    keys = [tuple(k.split("/", 1)) for k in row.derived_from if "://" not in k and "/" in k]
    hidden = set()
    if keys:
        for up in s.exec(select(Dataset).where(tuple_(Dataset.department, Dataset.slug).in_(keys))):
            if not can_read(reader, up):
                hidden.add(up.key)
    return [k for k in row.derived_from if k not in hidden]


def _dataset_row(s: Session, reader: Reader, department: str, slug: str) -> Dataset:
    row = s.exec(select(Dataset).where(Dataset.department == department, Dataset.slug == slug,
                                       readable(reader))).first()
    if row is None:
        raise DatasetNotFound(f"{department}/{slug}")
    return row


def _version_row(s: Session, reader: Reader, row: Dataset, number: int) -> Version:
    found = s.exec(select(Version).where(Version.dataset_id == row.id,
                                         Version.number == number)).first()
    if found is None or number < first_readable_version(reader, row):
        raise VersionNotFound(row.key, number)
    return found


def _current_version(s: Session, row: Dataset) -> Version | None:
    return s.exec(select(Version).where(Version.dataset_id == row.id,
                                        Version.number == row.version_count)).first()


def _files(s: Session, version: Version) -> list[FilePublic]:
    rows = s.exec(select(VersionFile).where(VersionFile.version_id == version.id)
                  .order_by(VersionFile.path)).all()
    return [FilePublic(path=f.path, md5=f.md5, size=f.size, nfiles=f.nfiles,
                       is_dir=f.md5.endswith(".dir"), source=f.source) for f in rows]


def _department_names(s: Session) -> dict[str, str]:
    return dict(s.exec(select(Department.slug, Department.name)).all())


def _problem_counts(s: Session, keys: list[str]) -> dict[str, int]:
    if not keys:
        return {}
    return dict(s.exec(select(Problem.dataset_key, func.count(Problem.id))
                       .where(Problem.dataset_key.in_(keys))
                       .group_by(Problem.dataset_key)).all())


def _restricted(d: Dataset, names: dict[str, str]) -> DatasetSummary:
    """A discoverable dataset in a list, for a reader who may not read it."""
    return DatasetSummary(
        id=d.key, department=d.department, department_name=names.get(d.department, d.department),
        slug=d.slug, title=d.title, description=d.description, tags=d.tags, classification="",
        visibility="department", licence="", version_count=d.version_count,
        updated_at=d.created_at, retired=False, restricted=True)


def _summary(d: Dataset, names: dict[str, str], problem_count: int) -> DatasetSummary:
    return DatasetSummary(
        id=d.key, department=d.department, department_name=names.get(d.department, d.department),
        slug=d.slug, title=d.title, description=d.description, tags=d.tags,
        classification=d.classification, visibility=d.visibility, licence=d.licence,
        version_count=d.version_count, updated_at=d.updated_at, retired=d.retired,
        problem_count=problem_count,
    )


def first_version(s: Session, reader: Reader, department: str, slug: str) -> int:
    """The oldest version number the reader may see of a dataset it can read (1: every one)."""
    return first_readable_version(reader, _dataset_row(s, reader, department, slug))


def readable_version(s: Session, reader: Reader, department: str, slug: str,
                     number: int) -> tuple[Dataset, Version]:
    """The dataset and its version `number`, if the reader may see both (else not found)."""
    row = _dataset_row(s, reader, department, slug)
    return row, _version_row(s, reader, row, number)
