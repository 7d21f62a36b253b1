"""A whole catalogue as plain, id-free data, so two catalogues can be compared for equality."""

from __future__ import annotations

from sqlmodel import Session, select

from catalogue.models import (
    Dataset,
    Department,
    LineageEdge,
    Partner,
    Problem,
    Registry,
    Version,
    VersionFile,
)


def snapshot(engine) -> dict:
    with Session(engine) as s:
        registries = {r.id: r.url for r in s.exec(select(Registry))}
        datasets = {d.id: d for d in s.exec(select(Dataset))}
        versions = {v.id: v for v in s.exec(select(Version))}

        def vkey(version_id):
            if version_id is None:
                return None
            v = versions[version_id]
            return (datasets[v.dataset_id].key, v.number)

        return {
            "registries": sorted((r.url, r.name, r.head_sha) for r in s.exec(select(Registry))),
            "departments": sorted((d.slug, d.name, registries[d.registry_id])
                                  for d in s.exec(select(Department))),
            "partners": sorted((p.slug, p.name) for p in s.exec(select(Partner))),
            "datasets": sorted(
                tuple(sorted((k, repr(v)) for k, v in d.model_dump(
                    exclude={"id", "registry_id"}).items())) + (registries[d.registry_id],)
                for d in datasets.values()),
            "versions": sorted(
                (datasets[v.dataset_id].key, v.number, v.commit_sha, v.author_name,
                 v.author_email, v.authored_at.replace(tzinfo=None), v.message, v.size)
                for v in versions.values()),
            "files": sorted((vkey(f.version_id), f.path, f.md5, f.size, f.nfiles, f.source)
                            for f in s.exec(select(VersionFile))),
            "lineage": sorted(
                (vkey(e.version_id), e.kind, e.upstream_key or "", str(vkey(e.upstream_version_id)),
                 e.upstream_ref or "", e.upstream_path or "", e.upstream_rev or "")
                for e in s.exec(select(LineageEdge))),
            "problems": sorted((registries[p.registry_id], p.dataset_key or "", p.file,
                                p.line or 0, p.message, p.commit_sha)
                               for p in s.exec(select(Problem))),
        }
