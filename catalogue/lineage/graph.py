"""The lineage graph around a dataset: its upstream and downstream datasets, N hops each way,
read from the lineage edges the index holds (see `builder`), dataset by dataset or version by
version.

The walk goes up from the upstream side and down from the downstream side (not sideways to
siblings), one query per hop and direction. Whether the reader may see each dataset it meets
is asked of `catalogue.access`: one it may not see is a placeholder numbered in this answer
alone, with nothing that names it (no department, dataset, title, owner or version), and the
walk does not go on through it, so what lies beyond is not shown either.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, bindparam
from sqlalchemy.orm import aliased, load_only
from sqlmodel import Session, select

from catalogue.access import Reader, can_read, first_readable_version, readable
from catalogue.errors import DatasetNotFound, InvalidInput
from catalogue.lineage.schemas import (
    DATASET,
    EXTERNAL,
    RESTRICTED,
    RESTRICTED_LABEL,
    Dependant,
    GraphEdge,
    GraphNode,
    LineageGraph,
)
from catalogue.models import Dataset, LineageEdge, Registry, Version, VersionFile
from catalogue.schemas import LineageLink

DEFAULT_DEPTH = 3
MAX_DEPTH = 10


def parse_depth(value: str | None) -> int:
    """`?depth=`: hops each way, 1 to MAX_DEPTH (DEFAULT_DEPTH when not given)."""
    if value is None or value.strip() == "":
        return DEFAULT_DEPTH
    try:
        depth = int(value)
    except ValueError:
        raise InvalidInput("depth", f"must be a whole number from 1 to {MAX_DEPTH}") from None
    if not 1 <= depth <= MAX_DEPTH:
        raise InvalidInput("depth", f"must be from 1 to {MAX_DEPTH}, not {depth}")
    return depth


@dataclass(frozen=True)
class Link:
    """One lineage edge: version `down_version` of dataset `down` was made from `up` (a dataset
    of the catalogue, at `up_version` when the hash pins one) or from `ref` outside it."""

    down: str
    down_version: int
    kind: str
    up: str | None
    up_version: int | None = None
    ref: str | None = None
    recorded_ref: str | None = None
    """As recorded: a URL, or an import's registry (whether or not it resolved to `up`)."""
    path: str | None = None
    rev: str | None = None


@cache
def _statements(all_versions: bool) -> dict[str, Select]:
    """The three queries of links, built once (building a statement costs more than running
    it): of given datasets' versions, from given upstream keys, and imports from given
    registries. Of current versions only unless `all_versions`."""
    up = aliased(Version)
    query = (select(Dataset.department, Dataset.slug, Version.number, LineageEdge.kind,
                    LineageEdge.upstream_key, up.number, LineageEdge.upstream_ref,
                    LineageEdge.upstream_path, LineageEdge.upstream_md5,
                    LineageEdge.upstream_rev)
             .join(Version, Version.dataset_id == Dataset.id)
             .join(LineageEdge, LineageEdge.version_id == Version.id)
             .outerjoin(up, up.id == LineageEdge.upstream_version_id))
    if not all_versions:
        query = query.where(Version.number == Dataset.version_count)
    return {
        "upstream": query.where(Dataset.id.in_(bindparam("ids", expanding=True))),
        "downstream": query.where(
            LineageEdge.upstream_key.in_(bindparam("keys", expanding=True))),
        "imports": query.where(LineageEdge.kind == "import",
                               LineageEdge.upstream_ref.in_(bindparam("urls", expanding=True))),
    }


_DATASETS_BY_KEY = select(Dataset).options(load_only(
    Dataset.id, Dataset.department, Dataset.slug, Dataset.title, Dataset.visibility,
    Dataset.owners, Dataset.version_count)).where(
    Dataset.department.in_(bindparam("departments", expanding=True)),
    Dataset.slug.in_(bindparam("slugs", expanding=True)))
"""Datasets by department and slug (one of each list: the caller keeps the pairs it asked
for), with only what the graph shows and what `catalogue.access` asks of them loaded (anything
else is loaded when first read)."""


class Edges:
    """The index's lineage edges, read a hop at a time: of current versions only, or of all."""

    def __init__(self, s: Session, all_versions: bool):
        self.s, self.all_versions = s, all_versions
        self._imports: list[Link] | None = None
        self._registries: dict[str, int] | None = None

    def upstream_of(self, ids: list[int]) -> list[Link]:
        if not ids:
            return []
        return self._links(_statements(self.all_versions)["upstream"], {"ids": ids})

    def downstream_of(self, keys: set[str]) -> list[Link]:
        if not keys:
            return []
        found = self._links(_statements(self.all_versions)["downstream"],
                            {"keys": sorted(keys)})
        return found + [link for link in self._all_imports() if link.up in keys]

    def _links(self, statement, params: dict) -> list[Link]:
        links = []
        rows = self.s.connection().execute(statement, params)  # plain rows: no ORM work
        for dept, slug, number, kind, up_key, up_number, ref, path, md5, rev in rows:
            if up_key is None and kind == "import":
                up_key, up_number = self._imported(ref, path, md5)
            links.append(Link(f"{dept}/{slug}", number, kind, up_key, up_number,
                              None if up_key else ref, ref, path, rev))
        return links

    def _all_imports(self) -> list[Link]:
        """Every import whose source is a dataset of a registry this catalogue indexes (few:
        read once per graph)."""
        if self._imports is None:
            urls = sorted(self._registry_ids())
            self._imports = [link for link in self._links(
                _statements(self.all_versions)["imports"], {"urls": urls})
                if link.up] if urls else []
        return self._imports

    def _registry_ids(self) -> dict[str, int]:
        if self._registries is None:
            self._registries = dict(self.s.exec(select(Registry.url, Registry.id)).all())
        return self._registries

    def _imported(self, ref: str | None, path: str | None,
                  md5: str | None) -> tuple[str | None, int | None]:
        """The dataset (and the version holding the bytes) a `dvc import` came from, when its
        registry is indexed here."""
        registry_id = self._registry_ids().get(ref or "")
        parts = (path or "").split("/")
        if registry_id is None or len(parts) < 3:
            return None, None
        dataset_id = self.s.exec(select(Dataset.id).where(
            Dataset.registry_id == registry_id, Dataset.department == parts[0],
            Dataset.slug == parts[1])).first()
        if dataset_id is None:
            return None, None
        number = self.s.exec(
            select(Version.number).join(VersionFile, VersionFile.version_id == Version.id)
            .where(Version.dataset_id == dataset_id, VersionFile.md5 == md5)
            .order_by(Version.number)).first() if md5 else None
        return f"{parts[0]}/{parts[1]}", number


class GraphBuilder:
    """One walk of the graph for one reader."""

    def __init__(self, s: Session, reader: Reader, versions: bool):
        self.s, self.reader, self.versions = s, reader, versions
        self.edges = Edges(s, all_versions=versions)
        self.datasets: dict[str, Dataset | None] = {}
        self.distance: dict[str, int] = {}
        self.links: set[Link] = set()
        self._readable: dict[str, bool] = {}
        self._first: dict[str, int] = {}

    def walk(self, root: Dataset, depth: int) -> None:
        self.datasets[root.key], self.distance[root.key] = root, 0
        up_side, down_side = [root.key], [root.key]
        for hop in range(1, depth + 1):
            found = self.edges.upstream_of([self.datasets[k].id for k in up_side])
            up_side = self._meet(found, hop=-hop, far=lambda link: link.up)
            found = self.edges.downstream_of(set(down_side))
            down_side = self._meet(found, hop=hop, far=lambda link: link.down)
            if not up_side and not down_side:
                break

    def _meet(self, links: list[Link], hop: int, far) -> list[str]:
        """Record the links; the datasets first met at their far end, and of those the ones
        the reader may see (the walk goes on from them). A link of a version the reader may
        not see (a dataset shared from a later version on) is left out, and so is what only
        it leads to."""
        self._load([key for key in map(far, links) if key is not None])
        met = []
        for link in links:
            if self._hidden_version(link):
                continue
            self.links.add(link)
            key = far(link)
            if key is not None and key not in self.distance:
                self.distance[key] = hop
                met.append(key)
        return [key for key in met if self._may_read(key)]

    def _hidden_version(self, link: Link) -> bool:
        return self._may_read(link.down) and link.down_version < self._first_version(link.down)

    def _load(self, keys: list[str]) -> None:
        wanted = {key for key in keys if key not in self.datasets}
        for key in wanted:
            self.datasets[key] = None
        if wanted:
            pairs = [key.split("/", 1) for key in wanted]
            for row in self.s.exec(_DATASETS_BY_KEY, params={
                    "departments": sorted({d for d, _ in pairs}),
                    "slugs": sorted({slug for _, slug in pairs})}):
                if row.key in wanted:
                    self.datasets[row.key] = row

    def _may_read(self, key: str) -> bool:
        if key not in self._readable:
            row = self.datasets.get(key)
            self._readable[key] = row is not None and can_read(self.reader, row)
        return self._readable[key]

    def _first_version(self, key: str) -> int:
        """The oldest version of a readable dataset the reader may see."""
        if key not in self._first:
            self._first[key] = first_readable_version(self.reader, self.datasets[key])
        return self._first[key]

    def graph(self, root: Dataset, depth: int) -> LineageGraph:
        nodes: dict[str, GraphNode] = {}
        placeholders: dict[str, str] = {}
        edges: dict[tuple[str, str, str], GraphEdge] = {}

        def node(key: str, version: int | None) -> str:
            if not self._may_read(key):
                if key not in placeholders:
                    placeholders[key] = f"restricted-{len(placeholders) + 1}"
                    nodes[placeholders[key]] = GraphNode(
                        id=placeholders[key], kind=RESTRICTED, label=RESTRICTED_LABEL,
                        distance=self.distance[key])
                return placeholders[key]
            row = self.datasets[key]
            if version is not None and version < self._first_version(key):
                version = None
            shown = version if self.versions else None
            node_id = f"{key}@{shown}" if shown is not None else key
            if node_id not in nodes:
                label = f"{row.title} (v{shown})" if shown is not None else row.title
                nodes[node_id] = GraphNode(
                    id=node_id, kind=DATASET, label=label, distance=self.distance[key],
                    dataset=key, title=row.title, department=row.department, version=shown)
            return node_id

        node(root.key, root.version_count if self.versions else None)
        for link in sorted(self.links, key=_order):
            target = node(link.down, link.down_version)
            if link.up is not None:
                source = node(link.up, link.up_version)
            else:
                source = f"external:{link.ref}"
                nodes.setdefault(source, GraphNode(
                    id=source, kind=EXTERNAL, label=link.ref or "", ref=link.ref,
                    distance=self.distance[link.down] - 1))
            edges.setdefault((source, target, link.kind),
                             GraphEdge(source=source, target=target, kind=link.kind))
        upstream, downstream = self._direct(root)
        return LineageGraph(
            dataset=root.key, upstream=upstream, downstream=downstream, depth=depth,
            versions=self.versions, nodes=list(nodes.values()),
            edges=list(edges.values()), depends_on_this=self._dependants(),
            restricted_dependants=sum(1 for key, hop in self.distance.items()
                                      if hop > 0 and not self._may_read(key)))

    def _direct(self, root: Dataset) -> tuple[list[LineageLink], list[LineageLink]]:
        """The current version's own links, as the dataset's page lists them (the shape of
        `browse.lineage`): what it was made from, and the datasets whose current version was
        made from it, each named only when the reader may see it."""
        upstream = []
        mine = [link for link in self.links
                if link.down == root.key and link.down_version == root.version_count]
        for link in sorted(mine, key=lambda k: (k.kind, k.up or "", k.recorded_ref or "")):
            imported = link.kind == "import"
            if link.up is None:
                upstream.append(LineageLink(kind=link.kind, ref=link.recorded_ref,
                                            path=link.path, rev=link.rev))
            elif not self._may_read(link.up):
                upstream.append(LineageLink(kind=link.kind, restricted=True))
            else:
                number = link.up_version
                if number is not None and number < self._first_version(link.up):
                    number = None
                upstream.append(LineageLink(
                    kind=link.kind, dataset=link.up, title=self.datasets[link.up].title,
                    version=number, path=link.path,
                    ref=link.recorded_ref if imported else None,
                    rev=link.rev if imported else None))
        downstream: dict[tuple, LineageLink] = {}
        theirs = [link for link in self.links if link.up == root.key and link.down != root.key
                  and self.datasets.get(link.down) is not None
                  and link.down_version == self.datasets[link.down].version_count]
        for link in sorted(theirs, key=lambda k: (*k.down.split("/", 1), k.kind)):
            found = LineageLink(kind=link.kind, dataset=link.down,
                                title=self.datasets[link.down].title) \
                if self._may_read(link.down) else LineageLink(kind=link.kind, restricted=True)
            downstream.setdefault((found.kind, found.dataset, found.restricted), found)
        return upstream, list(downstream.values())

    def _dependants(self) -> list[Dependant]:
        found = [(hop, key) for key, hop in self.distance.items()
                 if hop > 0 and self._may_read(key)]
        return [Dependant(dataset=key, title=self.datasets[key].title,
                          owners=self.datasets[key].owners, distance=hop)
                for hop, key in sorted(found)]


def _order(link: Link) -> tuple:
    return (link.down, link.down_version, link.kind, link.up or "", link.up_version or 0,
            link.ref or "")


def lineage_graph(s: Session, reader: Reader, department: str, slug: str,
                  depth: int = DEFAULT_DEPTH, versions: bool = False) -> LineageGraph:
    """The graph `depth` hops up and down from a dataset the reader may see (else not found)."""
    if not 1 <= depth <= MAX_DEPTH:
        raise InvalidInput("depth", f"must be from 1 to {MAX_DEPTH}, not {depth}")
    root = s.exec(select(Dataset).where(Dataset.department == department,
                                        Dataset.slug == slug, readable(reader))).first()
    if root is None:
        raise DatasetNotFound(f"{department}/{slug}")
    builder = GraphBuilder(s, reader, versions)
    builder.walk(root, depth)
    return builder.graph(root, depth)
