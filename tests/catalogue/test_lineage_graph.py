"""The lineage graph: N hops up and down from a dataset, dataset by dataset or version by
version, with the datasets a reader may not see as placeholders that name nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.lineage_corpus import layer_key, layered_graph, write_lineage_registry
from catalogue import browse
from catalogue.access import Reader
from catalogue.errors import DatasetNotFound, InvalidInput
from catalogue.lineage.graph import DEFAULT_DEPTH, MAX_DEPTH, lineage_graph, parse_depth
from catalogue.lineage.schemas import RESTRICTED_LABEL

EVERYONE = Reader.everyone()
STAFF = Reader.of("public", "internal", "department:housing")
PUBLIC_HEALTH_ONLY = Reader.of("department:public-health")


def test_depth_defaults_to_three_and_is_bounded():
    assert parse_depth(None) == parse_depth("") == DEFAULT_DEPTH == 3
    assert parse_depth("5") == 5 and parse_depth(str(MAX_DEPTH)) == MAX_DEPTH
    for bad in ("0", "-2", str(MAX_DEPTH + 1), "three", "2.5"):
        with pytest.raises(InvalidInput) as caught:
            parse_depth(bad)
        assert caught.value.field == "depth" and str(caught.value).startswith("depth: ")


@pytest.fixture
def chain(catalogue, tmp_path: Path):
    """-2 → -1 → 0 → 1 → 2, one dataset a hop; dataset 1 visible to its department only."""
    sources = layered_graph(hops=2, nodes=5, fan_in=1)
    hidden = layer_key(1, 0)
    write_lineage_registry(tmp_path / "chain", sources, department_only=frozenset({hidden}))
    catalogue.indexer.index(str(tmp_path / "chain"))
    return catalogue


def test_the_graph_goes_n_hops_each_way(chain):
    with chain.session() as s:
        one = lineage_graph(s, EVERYONE, "planning", "layer-0-0", depth=1)
        full = lineage_graph(s, EVERYONE, "planning", "layer-0-0")
    assert sorted(n.distance for n in one.nodes) == [-1, 0, 1]
    assert sorted((n.dataset, n.distance) for n in full.nodes) == sorted(
        (layer_key(h, 0), h) for h in (-2, -1, 0, 1, 2))
    assert {(e.source, e.target, e.kind) for e in full.edges} == {
        (layer_key(h, 0), layer_key(h + 1, 0), "declared") for h in (-2, -1, 0, 1)}
    assert [(d.dataset, d.distance) for d in full.depends_on_this] == [
        (layer_key(1, 0), 1), (layer_key(2, 0), 2)]
    assert full.depends_on_this[0].owners[0].endswith("@council.gov.uk")
    assert full.restricted_dependants == 0
    # the direct links are those the dataset's page lists
    assert [link.dataset for link in full.upstream] == [layer_key(-1, 0)]
    assert [link.dataset for link in full.downstream] == [layer_key(1, 0)]


def test_a_restricted_neighbour_is_an_unnamed_placeholder_and_the_walk_stops_there(chain):
    hidden, beyond = layer_key(1, 0), layer_key(2, 0)
    with chain.session() as s:
        graph = lineage_graph(s, STAFF, "planning", "layer-0-0")
        owners = {d.dataset: d.owners for d in lineage_graph(
            s, EVERYONE, "planning", "layer-0-0").depends_on_this}
    [placeholder] = [n for n in graph.nodes if n.kind == "restricted"]
    assert placeholder.model_dump() == {
        "id": "restricted-1", "kind": "restricted", "label": RESTRICTED_LABEL, "distance": 1,
        "dataset": None, "title": None, "department": None, "version": None, "ref": None}
    assert ("layer-0-0" in graph.dataset
            and {(e.source, e.target) for e in graph.edges if e.target == "restricted-1"} == {
                (layer_key(0, 0), "restricted-1")})
    assert graph.depends_on_this == [] and graph.restricted_dependants == 1
    text = json.dumps(graph.model_dump(mode="json"))
    for secret in (hidden, beyond, "down-1", "down-2", *owners[hidden], *owners[beyond]):
        assert secret not in text
    assert graph.downstream[0].restricted and graph.downstream[0].dataset is None


def test_a_dataset_the_reader_may_not_see_has_no_graph(chain):
    with chain.session() as s, pytest.raises(DatasetNotFound):
        lineage_graph(s, STAFF, "planning", "layer-1-0")


def index_story(catalogue, story) -> None:
    catalogue.indexer.index(str(story.nhs.path))
    catalogue.indexer.index(str(story.main.path))


def test_pipeline_import_and_declared_edges_and_versions(catalogue, story):
    index_story(catalogue, story)
    with catalogue.session() as s:
        rate = lineage_graph(s, EVERYONE, "public-health", "homelessness-rate")
        gp = lineage_graph(s, EVERYONE, "public-health", "gp-practices")
        by_version = lineage_graph(s, EVERYONE, "public-health", "homelessness-rate",
                                   versions=True)
        source = lineage_graph(s, EVERYONE, "housing", "homelessness", versions=True)
    rate_key, counts = "public-health/homelessness-rate", "housing/homelessness"
    assert {(e.source, e.target, e.kind) for e in rate.edges} == {
        (counts, rate_key, "declared"), (counts, rate_key, "pipeline"),
        ("external:https://www.ons.gov.uk/census", rate_key, "declared")}
    external = next(n for n in rate.nodes if n.kind == "external")
    assert (external.label, external.distance) == ("https://www.ons.gov.uk/census", -1)
    # an import from the NHS trust's registry, which this catalogue indexes too
    assert {(e.source, e.target, e.kind) for e in gp.edges} == {
        ("health/gp-practices", "public-health/gp-practices", "import")}
    # version by version: the pipeline ran on v2 of the counts, though v3 exists
    assert (f"{counts}@2", f"{rate_key}@1", "pipeline") in {
        (e.source, e.target, e.kind) for e in by_version.edges}
    assert {n.id for n in source.nodes} >= {f"{counts}@2", f"{counts}@3", f"{rate_key}@1"}
    assert [d.dataset for d in source.depends_on_this] == [rate_key]
    # the direct links are the dataset page's, read by catalogue.browse (whose order of
    # NULLs is the database's: compared in one order)
    def same(links):
        return sorted(links, key=repr)

    with catalogue.session() as s:
        for reader in (EVERYONE, PUBLIC_HEALTH_ONLY):
            for key in (rate_key, "public-health/gp-practices"):
                page = browse.lineage(s, reader, *key.split("/"))
                for versions in (False, True):
                    graph = lineage_graph(s, reader, *key.split("/"), versions=versions)
                    assert same(graph.upstream) == same(page.upstream)
                    assert same(graph.downstream) == same(page.downstream)
        page = browse.lineage(s, EVERYONE, "housing", "homelessness")
        assert same(lineage_graph(s, EVERYONE, "housing", "homelessness").downstream) == \
            same(page.downstream)


def test_the_story_as_a_reader_of_public_health_only(catalogue, story):
    index_story(catalogue, story)
    with catalogue.session() as s:
        rate = lineage_graph(s, PUBLIC_HEALTH_ONLY, "public-health", "homelessness-rate")
        gp = lineage_graph(s, PUBLIC_HEALTH_ONLY, "public-health", "gp-practices",
                           versions=True)
    assert {n.kind for n in rate.nodes} == {"dataset", "restricted", "external"}
    assert {(e.source, e.kind) for e in rate.edges if e.source.startswith("restricted")} == {
        ("restricted-1", "declared"), ("restricted-1", "pipeline")}
    assert [n.id for n in gp.nodes if n.kind == "restricted"] == ["restricted-1"]
    for graph in (rate, gp):
        text = json.dumps(graph.model_dump(mode="json"))
        for secret in ("housing", "Homelessness counts", '"health/gp-practices', "asha.patel",
                       str(story.nhs.path)):
            assert secret not in text


def test_the_command_line_shows_the_graph(chain, settings):
    from click.testing import CliRunner

    from catalogue.cli import main

    env = {"DATABASE_URL": settings.database_url}
    args = ["lineage", layer_key(0, 0), "--instance", str(settings.instance)]
    shown = CliRunner().invoke(main, [*args, "--depth", "1"], env=env)
    assert shown.exit_code == 0, shown.output
    assert layer_key(-1, 0) in shown.output and layer_key(-2, 0) not in shown.output
    assert f"{layer_key(1, 0)} (1 hop): owner" in shown.output
    as_json = CliRunner().invoke(main, [*args, "--json"], env=env)
    assert len(json.loads(as_json.output)["nodes"]) == 5
    bad = CliRunner().invoke(main, [*args, "--depth", "11"], env=env)
    assert bad.exit_code == 2 and "depth" in bad.output


def test_a_version_the_reader_may_not_see_has_no_links(catalogue, tmp_path):
    """Shared from version 2 on: what version 1 was made from is not in the graph at all."""
    from tests.builders import RegistryBuilder

    registry = RegistryBuilder(tmp_path / "shared", {"housing": "Housing", "care": "Care"})
    registry.version("housing/early-source", {"a.csv": "x\n1\n"}, "A", title="Early source")
    registry.version("housing/later-source", {"b.csv": "x\n2\n"}, "B", title="Later source")
    registry.version("care/derived", {"d.csv": "x\n1\n"}, "v1", title="Derived",
                     visibility="department", derived_from=["housing/early-source"])
    registry.version("care/derived", {"d.csv": "x\n2\n"}, "v2", title="Derived",
                     visibility="department", derived_from=["housing/later-source"])
    catalogue.indexer.index(str(registry.path))
    reader = Reader(frozenset({"public", "internal", "department:housing"}),
                    shared={"care/derived": 2})
    with catalogue.session() as s:
        graph = lineage_graph(s, reader, "care", "derived", versions=True)
        early = lineage_graph(s, reader, "housing", "early-source", versions=True)
        later = lineage_graph(s, reader, "housing", "later-source", versions=True)
    assert {(e.source, e.target) for e in graph.edges} == {
        ("housing/later-source@1", "care/derived@2")}
    assert "Early source" not in json.dumps(graph.model_dump(mode="json"))
    assert [n.id for n in early.nodes] == ["housing/early-source@1"]
    assert early.depends_on_this == [] and early.restricted_dependants == 0
    assert [d.dataset for d in later.depends_on_this] == ["care/derived"]
