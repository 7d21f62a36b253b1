"""The lineage graph as readers get it (the page draws it; the API returns it as JSON)."""

from __future__ import annotations

from pydantic import BaseModel

from catalogue.schemas import Lineage

DATASET, RESTRICTED, EXTERNAL = "dataset", "restricted", "external"
RESTRICTED_LABEL = "Restricted dataset"


class GraphNode(BaseModel):
    """A dataset (or one of its versions), something outside the catalogue (a URL, another
    registry), or a dataset the reader may not see: then only `id`, `kind` and `distance`,
    with an id that is a placeholder numbered in this answer alone."""

    id: str
    kind: str
    label: str
    distance: int
    """Hops from the dataset asked about: negative upstream, positive downstream, 0 itself."""
    dataset: str | None = None
    title: str | None = None
    department: str | None = None
    version: int | None = None
    ref: str | None = None


class GraphEdge(BaseModel):
    """`source` was used to make `target` (edges point downstream)."""

    source: str
    target: str
    kind: str


class Dependant(BaseModel):
    """A dataset made (directly or not) from the one asked about, for owners planning a change."""

    dataset: str
    title: str
    owners: list[str]
    distance: int


class LineageGraph(Lineage):
    """The dataset's direct links (`upstream`, `downstream`: what its page lists) and the graph
    `depth` hops each way."""

    depth: int
    versions: bool
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    depends_on_this: list[Dependant]
    restricted_dependants: int
    """How many datasets downstream the reader may not see (counted, never named)."""
