"""Bad input is reported on the dataset it belongs to, located, and stops nothing else."""

from catalogue import browse
from catalogue.access import Reader

EVERYONE = Reader.everyone()
GOOD = {"counts.csv": "ward,n\nA,1\n"}


def problems(catalogue, key):
    dept, slug = key.split("/")
    with catalogue.session() as s:
        found = browse.dataset(s, EVERYONE, dept, slug).problems
    return [(p.file, p.line, p.message) for p in found]


def test_each_kind_of_bad_input_is_a_problem_while_the_rest_index(catalogue, registry):
    registry.version("housing/good", GOOD, "A good dataset")
    registry.write("housing/bad-yaml/dataset.yaml", "title: Broken\nowners: [a@b.gov.uk\n")
    registry.dvc_add("housing/bad-yaml", GOOD)
    registry.write("housing/no-owners/dataset.yaml", "title: Nobody owns me\n")
    registry.dvc_add("housing/no-owners", GOOD)
    registry.write("housing/wrong-types/dataset.yaml",
                   "title: T\nowners: [a@b.gov.uk]\ntags: just-one\npersonal_data: maybe\n")
    registry.dvc_add("housing/wrong-types", GOOD)
    registry.metadata("housing/no-data")
    registry.metadata("planning/unknown-dept")
    registry.dvc_add("planning/unknown-dept", GOOD)
    # written last: dvc itself refuses to work in a repository holding these
    registry.metadata("housing/garbage-dvc")
    registry.write("housing/garbage-dvc/data.csv.dvc", "this is: [not a dvc file\n")
    registry.metadata("housing/garbage-lock")
    registry.write("housing/garbage-lock/dvc.lock", "schema: '2.0'\nstages: nope\n")
    registry.commit("A mixed bag", "ben")

    report = catalogue.indexer.index(str(registry.path))

    indexed = {key for key, _ in report.new_versions}
    assert {"housing/good", "housing/bad-yaml", "housing/no-owners", "housing/wrong-types",
            "planning/unknown-dept"} <= indexed
    assert problems(catalogue, "housing/good") == []
    assert problems(catalogue, "housing/bad-yaml") == [
        ("housing/bad-yaml/dataset.yaml", 3,
         "invalid YAML: did not find expected ',' or ']'")]
    assert ("housing/no-owners/dataset.yaml", None, "owners is required") in problems(
        catalogue, "housing/no-owners")
    wrong = problems(catalogue, "housing/wrong-types")
    assert [line for _, line, _ in wrong] == [3, 4]
    assert "tags" in wrong[0][2] and "personal_data" in wrong[1][2]
    [(file, line, message)] = problems(catalogue, "housing/garbage-dvc")
    assert file == "housing/garbage-dvc/data.csv.dvc" and "invalid YAML" in message
    assert problems(catalogue, "housing/garbage-lock") == [
        ("housing/garbage-lock/dvc.lock", 1, "not a dvc.lock: it has no 'stages' mapping")]
    [(_, _, message)] = problems(catalogue, "housing/no-data")
    assert "has no data" in message
    assert problems(catalogue, "planning/unknown-dept") == [
        ("planning/unknown-dept", None,
         "department 'planning' is not declared in catalogue.yaml")]
    # every problem also reaches `catalogue index`'s report
    assert len(report.problems) == 8


def test_a_fix_clears_the_problem_and_bad_metadata_keeps_the_last_good(catalogue, registry):
    registry.version("housing/counts", GOOD, "v1", title="Counts by ward")
    registry.write("housing/counts/dataset.yaml", "title: [oops\n")
    registry.commit("Break the metadata", "ben")
    catalogue.indexer.index(str(registry.path))
    with catalogue.session() as s:
        assert browse.dataset(s, EVERYONE, "housing", "counts").title == "Counts by ward"
    assert problems(catalogue, "housing/counts")[0][0] == "housing/counts/dataset.yaml"

    registry.metadata("housing/counts", title="Counts by ward, fixed")
    registry.commit("Fix the metadata", "cara")
    catalogue.indexer.index(str(registry.path))
    with catalogue.session() as s:
        assert browse.dataset(s, EVERYONE, "housing", "counts").title == "Counts by ward, fixed"
    assert problems(catalogue, "housing/counts") == []


def test_a_removed_folder_retires_the_dataset_and_keeps_its_history(catalogue, registry):
    registry.version("housing/old", GOOD, "v1")
    registry.version("housing/old", {"counts.csv": "ward,n\nA,2\n"}, "v2", "ben")
    catalogue.indexer.index(str(registry.path))
    import shutil

    shutil.rmtree(registry.path / "housing/old")
    registry.commit("Retire the old counts", "cara")
    report = catalogue.indexer.index(str(registry.path))
    assert report.retired == ["housing/old"]
    with catalogue.session() as s:
        dataset = browse.dataset(s, EVERYONE, "housing", "old")
        assert dataset.retired and dataset.retired_sha == registry.head()
        assert [v.number for v in browse.versions(s, EVERYONE, "housing", "old")] == [2, 1]
        total, listed = browse.datasets(s, EVERYONE)
        assert "housing/old" not in {d.id for d in listed}


def test_a_dataset_id_clash_between_registries_is_a_problem_on_the_later(
        catalogue, registry, tmp_path):
    from tests.builders import RegistryBuilder

    registry.version("housing/counts", GOOD, "first registry's counts", title="First")
    other = RegistryBuilder(tmp_path / "other", {"housing": "Housing"})
    other.version("housing/counts", GOOD, "second registry's counts", title="Second")
    catalogue.indexer.index(str(registry.path))
    report = catalogue.indexer.index(str(other.path))
    assert report.new_versions == []
    assert any("already a dataset of another registry" in p.message for p in report.problems)
    with catalogue.session() as s:
        assert browse.dataset(s, EVERYONE, "housing", "counts").title == "First"
