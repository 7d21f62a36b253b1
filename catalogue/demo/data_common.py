"""What the demo's data generators share: the wards, seeded randomness, frames, file formats.

Every generator (`data_housing`, `data_care`, `data_health`, `data_finance`,
`data_planning_waste`) takes the version number (0-based) and the date the version is committed,
and returns the dataset's files as bytes. Randomness is seeded by what a value describes (a ward,
a month, a quarter), so a later version repeats the earlier rows it shares and adds new ones,
and the same build date always gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

import numpy as np
import pandas as pd

Files = dict[str, bytes]

WARDS = [
    ("E05015101", "Abbey"), ("E05015102", "Brookfield"), ("E05015103", "Castle"),
    ("E05015104", "Denmead"), ("E05015105", "Eastgate"), ("E05015106", "Fairfield"),
    ("E05015107", "Greenhill"), ("E05015108", "Harbour"), ("E05015109", "Kingsmead"),
    ("E05015110", "Lowther"), ("E05015111", "Millbrook"), ("E05015112", "Northfield"),
    ("E05015113", "Orchard"), ("E05015114", "Parkside"), ("E05015115", "Queensway"),
    ("E05015116", "Riverside"), ("E05015117", "St Mary's"), ("E05015118", "Westcliffe"),
]
# How deprived each ward is (0 = least): drives homelessness, obesity, fly-tipping and the rest.
DEPRIVATION = dict(zip([c for c, _ in WARDS], np.random.default_rng(18).uniform(0.1, 1.0, 18),
                       strict=True))
BASE_POPULATION = dict(zip([c for c, _ in WARDS],
                           np.random.default_rng(7).integers(8_500, 14_500, 18), strict=True))


def rng(*parts: object) -> np.random.Generator:
    """A generator seeded by what the numbers describe."""
    return np.random.default_rng(zlib.crc32("|".join(map(str, parts)).encode()))


def csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, lineterminator="\n").encode()


def excel(frame: pd.DataFrame, sheet: str) -> bytes:
    """An .xlsx whose bytes depend only on the data (openpyxl stamps the time of writing)."""
    raw = io.BytesIO()
    frame.to_excel(raw, index=False, sheet_name=sheet)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2020-01-01T00:00:00Z", data)
            dst.writestr(zipfile.ZipInfo(info.filename, (2020, 1, 1, 0, 0, 0)), data,
                         zipfile.ZIP_DEFLATED)
    return out.getvalue()


def parquet(frame: pd.DataFrame) -> bytes:
    raw = io.BytesIO()
    frame.to_parquet(raw, index=False)
    return raw.getvalue()


def ward_frame() -> pd.DataFrame:
    """One row per ward: `ward_code`, `ward_name`."""
    return pd.DataFrame(WARDS, columns=["ward_code", "ward_name"])


def ward_name(index: int) -> str:
    return WARDS[int(index)][1]


def deprivation(frame: pd.DataFrame) -> pd.Series:
    """How deprived the ward of each row is (by its `ward_code`)."""
    return frame["ward_code"].map(DEPRIVATION)


def base_population(frame: pd.DataFrame) -> pd.Series:
    """The population the ward of each row (by its `ward_code`) grows from."""
    return frame["ward_code"].map(BASE_POPULATION)


def cross(left: pd.DataFrame | list, right: pd.DataFrame | list, names=("a", "b")) -> pd.DataFrame:
    """Every row of `left` with every row of `right` (a list is a column called by `names`)."""
    def frame(x, name):
        return x if isinstance(x, pd.DataFrame) else pd.DataFrame({name: x})
    return frame(left, names[0]).merge(frame(right, names[1]), how="cross")


def poisson(keys: pd.DataFrame, seed: str, mean) -> np.ndarray:
    """One Poisson draw per row, seeded by the row's values (stable across versions)."""
    return np.array([rng(seed, *row).poisson(m) for row, m in
                     zip(keys.itertuples(index=False), np.broadcast_to(mean, len(keys)),
                         strict=True)])


def whole(values: pd.Series) -> pd.Series:
    """Counts from estimates: rounded to whole numbers."""
    return values.round().astype(int)
