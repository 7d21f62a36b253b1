from catalogue import browse
from catalogue.access import Reader


def test_a_version_indexes(catalogue, registry):
    registry.version("housing/rough-sleeping", {"counts.csv": "ward,count\nA,3\n"}, "First count")
    report = catalogue.indexer.index(str(registry.path))
    assert report.new_versions == [("housing/rough-sleeping", 1)]
    with catalogue.session() as s:
        [v] = browse.versions(s, Reader.everyone(), "housing", "rough-sleeping")
    assert v.author_name == "Asha Patel"
