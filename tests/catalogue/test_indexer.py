from catalogue import browse
from catalogue.access import Reader

EVERYONE = Reader.everyone()


def index_story(catalogue, story):
    catalogue.indexer.index(str(story.nhs.path))
    return catalogue.indexer.index(str(story.main.path))


def test_versions_are_numbered_in_commit_order_with_their_authors(catalogue, story):
    report = index_story(catalogue, story)
    assert ("housing/homelessness", 3) in report.new_versions
    with catalogue.session() as s:
        versions = browse.versions(s, EVERYONE, "housing", "homelessness")
    assert [(v.number, v.author_name, v.message, v.commit_sha) for v in versions] == [
        (3, "Cara Jones", "Homelessness counts Q3", story.shas["h3"]),
        (2, "Ben Okafor", "Homelessness counts Q2", story.shas["h2"]),
        (1, "Asha Patel", "Homelessness counts Q1", story.shas["h1"]),
    ]
    assert versions[0].size == len("ward,households\nA,40\nB,11\n")


def test_a_metadata_edit_is_a_revision_not_a_version(catalogue, story):
    index_story(catalogue, story)
    with catalogue.session() as s:
        dataset = browse.dataset(s, EVERYONE, "housing", "homelessness")
        shas = {v.commit_sha for v in browse.versions(s, EVERYONE, "housing", "homelessness")}
    assert story.shas["meta"] not in shas
    assert dataset.title == "Homelessness counts by ward"
    assert dataset.version_count == 3


def test_version_files_record_path_hash_and_size(catalogue, story):
    index_story(catalogue, story)
    with catalogue.session() as s:
        version = browse.version(s, EVERYONE, "housing", "homelessness", 1)
    [f] = version.files
    assert (f.path, f.size, f.source, f.is_dir) == (
        "counts.csv", len("ward,households\nA,30\nB,12\n"), "counts.csv.dvc", False)
    assert len(f.md5) == 32


def test_lineage_from_all_three_sources(catalogue, story):
    index_story(catalogue, story)
    with catalogue.session() as s:
        rate = browse.lineage(s, EVERYONE, "public-health", "homelessness-rate")
        gp = browse.lineage(s, EVERYONE, "public-health", "gp-practices")
        homelessness = browse.lineage(s, EVERYONE, "housing", "homelessness")
    links = {(link.kind, link.dataset or link.ref, link.version) for link in rate.upstream}
    assert ("declared", "housing/homelessness", 2) in links
    assert ("declared", "https://www.ons.gov.uk/census", None) in links
    # the pipeline ran on v2's counts: pinned to v2 even though v3 exists now
    assert ("pipeline", "housing/homelessness", 2) in links
    [imported] = gp.upstream
    assert (imported.kind, imported.dataset, imported.version) == (
        "import", "health/gp-practices", 1)
    assert imported.ref == str(story.nhs.path)
    assert {(d.kind, d.dataset) for d in homelessness.downstream} == {
        ("declared", "public-health/homelessness-rate"),
        ("pipeline", "public-health/homelessness-rate")}


def test_import_from_an_unindexed_registry_keeps_its_url(catalogue, story):
    catalogue.indexer.index(str(story.main.path))
    with catalogue.session() as s:
        [imported] = browse.lineage(s, EVERYONE, "public-health", "gp-practices").upstream
    assert (imported.dataset, imported.ref, imported.path) == (
        None, str(story.nhs.path), "health/gp-practices/practices.csv")


def test_unknown_keys_are_kept(catalogue, story):
    index_story(catalogue, story)
    with catalogue.session() as s:
        assert browse.dataset(s, EVERYONE, "housing", "homelessness").extra == {}
        first = browse.version(s, EVERYONE, "housing", "homelessness", 1)
    assert first.number == 1


def test_a_second_run_reads_nothing_new(catalogue, story):
    index_story(catalogue, story)
    again = catalogue.indexer.index(str(story.main.path))
    assert (again.commits, again.new_versions) == (0, [])


def test_a_registry_by_url_is_read_through_a_mirror_that_follows_new_commits(catalogue, registry):
    registry.version("housing/counts", {"counts.csv": "ward,n\nA,1\n"}, "v1")
    url = f"file://{registry.path}"
    first = catalogue.indexer.index(url)
    assert first.new_versions == [("housing/counts", 1)]
    [known] = catalogue.indexer.registries()
    assert known.url == url and known.git_path.startswith(str(catalogue.settings.mirrors))

    registry.version("housing/counts", {"counts.csv": "ward,n\nA,2\n"}, "v2", "ben")
    assert catalogue.indexer.index(url).new_versions == [("housing/counts", 2)]


def test_rewritten_history_is_refused_with_advice(catalogue, registry):
    import pytest

    from catalogue.errors import RegistryError
    from tests.builders import sh

    registry.version("housing/counts", {"counts.csv": "ward,n\nA,1\n"}, "v1")
    catalogue.indexer.index(str(registry.path))
    sh(["git", "commit", "-q", "--amend", "-m", "rewritten"], registry.path,
       env={"GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@y", "GIT_COMMITTER_NAME": "x",
            "GIT_COMMITTER_EMAIL": "x@y"})
    with pytest.raises(RegistryError, match="history was rewritten; run `catalogue reindex`"):
        catalogue.indexer.index(str(registry.path))
    with catalogue.session() as s:
        assert len(browse.versions(s, EVERYONE, "housing", "counts")) == 1
