"""Downloads read by hash from the registry's DVC remote: files, folders in directory outputs,
imports from another registry, and nothing else in the registry can break them."""

import json
import shutil
import subprocess
import sys

import pytest

from catalogue.access import Reader
from catalogue.downloads import IsADirectory, list_folder, open_download
from catalogue.errors import DataUnavailable, FileNotFound
from registry.storage import RegistryStorage
from tests.builders import RegistryBuilder, sh

EVERYONE = Reader.everyone()
AIR = ("public-health", "air-quality")


def download(cat, dept: str, slug: str, number: int, path: str) -> bytes:
    with cat.session() as s:
        return b"".join(open_download(s, cat.storage, EVERYONE, dept, slug, number, path).chunks)


def listing(cat, dept: str, slug: str, number: int, path: str) -> list:
    with cat.session() as s:
        return list_folder(s, cat.storage, EVERYONE, dept, slug, number, path)


@pytest.fixture
def with_directory(catalogue, registry):
    registry.metadata("public-health/air-quality", title="Air quality readings")
    for site, value in (("s1", "31.0"), ("s2", "18.5")):
        registry.write(f"public-health/air-quality/readings/{site}.csv", f"hour,no2\n0,{value}\n")
    registry.write("public-health/air-quality/readings/2024/jan.csv", "day,no2\n1,20\n")
    sh(["dvc", "add", "-q", "public-health/air-quality/readings"], registry.path)
    registry.commit("Hourly readings by site")
    registry.push()
    shutil.rmtree(registry.path / ".dvc" / "cache")  # read from the remote, as in production
    catalogue.indexer.index(str(registry.path))
    return catalogue


def test_a_file_inside_a_directory_output_downloads_with_its_size(with_directory, registry):
    with with_directory.session() as s:
        opened = open_download(s, with_directory.storage, EVERYONE, *AIR, 1, "readings/s2.csv")
    body = b"".join(opened.chunks)
    assert body == (registry.path / "public-health/air-quality/readings/s2.csv").read_bytes()
    assert opened.size == len(body)
    assert opened.content_type == "text/csv"


def test_a_directory_output_is_listed_not_downloaded(with_directory):
    with with_directory.session() as s, pytest.raises(IsADirectory):
        open_download(s, with_directory.storage, EVERYONE, *AIR, 1, "readings")
    with with_directory.session() as s, pytest.raises(IsADirectory):
        open_download(s, with_directory.storage, EVERYONE, *AIR, 1, "readings/2024")
    entries = listing(with_directory, *AIR, 1, "readings")
    inner = listing(with_directory, *AIR, 1, "readings/2024")
    assert [(e.name, e.is_dir) for e in entries] == [
        ("2024", True), ("s1.csv", False), ("s2.csv", False)]
    assert all(e.md5 for e in entries if not e.is_dir)
    assert [e.path for e in inner] == ["readings/2024/jan.csv"]


@pytest.mark.parametrize("path", ["readings/s3.csv", "readings/2025/jan.csv", "readings/s1.csv/x"])
def test_a_missing_member_of_a_directory_output_is_not_found(with_directory, path):
    with pytest.raises(FileNotFound):
        download(with_directory, *AIR, 1, path)


def test_a_missing_folder_of_a_directory_output_is_not_found_when_listed(with_directory):
    with pytest.raises(FileNotFound):
        listing(with_directory, *AIR, 1, "readings/2025")


def test_a_path_outside_the_version_is_not_found(with_directory):
    for path in ("../../housing/x.csv", "elsewhere.csv", "readings/../../dataset.yaml"):
        with pytest.raises(FileNotFound):
            download(with_directory, *AIR, 1, path)


def test_a_corrupted_dvc_file_breaks_only_its_own_dataset(catalogue, registry):
    """DVC's repository filesystem parses every .dvc file at a commit, so one corrupted file
    broke every download at and after it; read by hash, every other file stays readable."""
    registry.version("housing/voids", {"voids.csv": "property,days\nP1,40\n"}, "Voids v1")
    registry.version("public-health/clinics", {"clinics.csv": "clinic,ward\nC1,Abbey\n"},
                     "Clinics v1")
    registry.write("housing/broken/dataset.yaml", "title: Broken\nowners: [a@b.gov.uk]\n")
    registry.write("housing/broken/data.csv.dvc", "outs:\n- md5: [unclosed\n  path: data.csv\n")
    registry.commit("A hand-edited .dvc file with broken YAML")
    # `dvc add` itself refuses to run beside it: set it aside while adding, as another clone.
    broken = registry.path / "housing/broken/data.csv.dvc"
    aside = broken.read_text()
    broken.unlink()
    registry.dvc_add("housing/voids", {"voids.csv": "property,days\nP1,40\nP2,7\n"})
    registry.push()
    broken.write_text(aside)
    registry.commit("Voids v2")
    shutil.rmtree(registry.path / ".dvc" / "cache")
    report = catalogue.indexer.index(str(registry.path))
    assert {p.dataset_key for p in report.problems} == {"housing/broken"}
    assert download(catalogue, "housing", "voids", 1, "voids.csv") == b"property,days\nP1,40\n"
    assert download(catalogue, "housing", "voids", 2, "voids.csv") == \
        b"property,days\nP1,40\nP2,7\n"
    assert download(catalogue, "public-health", "clinics", 1, "clinics.csv") == \
        b"clinic,ward\nC1,Abbey\n"


def test_bytes_missing_from_the_remote_say_so(catalogue, registry):
    registry.metadata("housing/voids", title="Void properties")
    registry.dvc_add("housing/voids", {"voids.csv": "property,days\nP1,40\n"})
    registry.commit("Voids, not pushed")
    shutil.rmtree(registry.path / ".dvc" / "cache")
    catalogue.indexer.index(str(registry.path))
    with pytest.raises(DataUnavailable, match="dvc push"):
        download(catalogue, "housing", "voids", 1, "voids.csv")


def test_a_damaged_manifest_is_unavailable_not_a_crash(with_directory, registry):
    manifests = list((registry.remote / "files" / "md5").glob("*/*.dir"))
    assert len(manifests) == 1
    manifests[0].write_text("not json")
    with_directory.storage = RegistryStorage()  # manifests read before are kept in memory
    with pytest.raises(DataUnavailable):
        download(with_directory, *AIR, 1, "readings/s1.csv")


def test_an_import_from_another_registry_reads_from_that_registrys_remote(
        catalogue, registry, tmp_path):
    trust = RegistryBuilder(tmp_path / "trust", {"health": "Health"}, name="Trust")
    trust.version("health/gp-practices", {"practices.csv": "practice,list_size\nP1,9000\n"},
                  "GP practices")
    registry.metadata("public-health/gp-practices", title="GP practices (imported)")
    sh(["dvc", "import", "-q", str(trust.path), "health/gp-practices/practices.csv",
        "-o", "public-health/gp-practices/practices.csv"], registry.path)
    registry.commit("Import GP practices from the trust")
    # The council's remote never got the bytes: they are only in the trust's remote.
    shutil.rmtree(registry.path / ".dvc" / "cache")
    assert not any(registry.remote.rglob("*"))
    catalogue.indexer.index(str(registry.path))
    assert download(catalogue, "public-health", "gp-practices", 1, "practices.csv") == \
        b"practice,list_size\nP1,9000\n"


def test_the_instance_dvc_config_overrides_the_remote(catalogue, registry, tmp_path):
    """Credentials and endpoints stay out of git: the instance's DVC config is laid over the
    registry's, as DVC lays .dvc/config.local over .dvc/config."""
    registry.version("housing/voids", {"voids.csv": "property,days\nP1,40\n"}, "Voids v1")
    shutil.rmtree(registry.path / ".dvc" / "cache")
    catalogue.indexer.index(str(registry.path))
    moved = tmp_path / "moved-storage"
    shutil.move(registry.remote, moved)
    with pytest.raises(DataUnavailable):
        download(catalogue, "housing", "voids", 1, "voids.csv")
    catalogue.settings.dvc_config.parent.mkdir(parents=True, exist_ok=True)
    catalogue.settings.dvc_config.write_text(f"['remote \"storage\"']\n    url = {moved}\n")
    assert download(catalogue, "housing", "voids", 1, "voids.csv") == b"property,days\nP1,40\n"


READ_ONE_FILE = """
import json, sys
from registry.storage import OutputRef, RegistryStorage
git_path, rev, path, md5, source = sys.argv[1:6]
opened = RegistryStorage().open_file(git_path, rev, OutputRef(path, md5, source))
body = b"".join(opened.chunks())
print(json.dumps({"bytes": body.decode(),
                  "dvc": sorted(m for m in sys.modules if m.startswith("dvc."))}))
"""


def test_reading_a_file_never_builds_dvcs_repository_index(catalogue, registry):
    """The hash route reads .dvc/config and one object: DVC's repository machinery (which
    collects every .dvc file of the registry) is not even imported."""
    registry.version("housing/voids", {"voids.csv": "property,days\nP1,40\n"}, "Voids v1")
    shutil.rmtree(registry.path / ".dvc" / "cache")
    catalogue.indexer.index(str(registry.path))
    with catalogue.session() as s:
        from catalogue import browse

        reg, version, files = browse.version_file(s, EVERYONE, "housing", "voids", 1)
    done = subprocess.run(
        [sys.executable, "-c", READ_ONE_FILE, reg.git_path, version.commit_sha,
         "housing/voids/voids.csv", files[0].md5, "housing/voids/voids.csv.dvc"],
        capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    assert result["bytes"] == "property,days\nP1,40\n"
    assert not [m for m in result["dvc"] if m.startswith(("dvc.repo", "dvc.api"))], \
        result["dvc"]
