import pytest

from catalogue.access import Reader
from catalogue.downloads import IsADirectory, list_folder, open_download
from catalogue.errors import FileNotFound
from tests.builders import sh

EVERYONE = Reader.everyone()


@pytest.fixture
def with_directory(catalogue, registry):
    registry.metadata("public-health/air-quality", title="Air quality readings")
    for site, value in (("s1", "31.0"), ("s2", "18.5")):
        registry.write(f"public-health/air-quality/readings/{site}.csv", f"hour,no2\n0,{value}\n")
    registry.write("public-health/air-quality/readings/2024/jan.csv", "day,no2\n1,20\n")
    sh(["dvc", "add", "-q", "public-health/air-quality/readings"], registry.path)
    registry.commit("Hourly readings by site")
    registry.push()
    catalogue.indexer.index(str(registry.path))
    return catalogue


def test_a_file_inside_a_directory_output_downloads_with_its_size(with_directory, registry):
    with with_directory.session() as s:
        download = open_download(s, EVERYONE, "public-health", "air-quality", 1, "readings/s2.csv")
    body = b"".join(download.chunks)
    assert body == (registry.path / "public-health/air-quality/readings/s2.csv").read_bytes()
    assert download.size == len(body)
    assert download.content_type == "text/csv"


def test_a_directory_output_is_listed_not_downloaded(with_directory):
    with with_directory.session() as s:
        with pytest.raises(IsADirectory):
            open_download(s, EVERYONE, "public-health", "air-quality", 1, "readings")
        entries = list_folder(s, EVERYONE, "public-health", "air-quality", 1, "readings")
        inner = list_folder(s, EVERYONE, "public-health", "air-quality", 1, "readings/2024")
    assert [(e.name, e.is_dir) for e in entries] == [
        ("2024", True), ("s1.csv", False), ("s2.csv", False)]
    assert [e.path for e in inner] == ["readings/2024/jan.csv"]


def test_a_path_outside_the_version_is_not_found(with_directory):
    with with_directory.session() as s:
        for path in ("../../housing/x.csv", "elsewhere.csv", "readings/../../dataset.yaml"):
            with pytest.raises(FileNotFound):
                open_download(s, EVERYONE, "public-health", "air-quality", 1, path)
