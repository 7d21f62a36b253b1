"""`catalogue lineage`: a dataset's lineage graph on the command line (run by whoever runs the
catalogue, so it reads every dataset). catalogue.cli loads this module only when it runs."""

from __future__ import annotations

import json

import click

from catalogue.access import Reader
from catalogue.cli import INSTANCE
from catalogue.core import Catalogue
from catalogue.lineage.graph import DEFAULT_DEPTH, MAX_DEPTH, lineage_graph


@click.command()
@click.argument("key", metavar="DEPARTMENT/DATASET")
@click.option("--depth", type=click.IntRange(1, MAX_DEPTH), default=DEFAULT_DEPTH,
              show_default=True, help="Hops each way.")
@click.option("--versions", is_flag=True, help="Version by version.")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON, as GET /api/v1/datasets/KEY/lineage answers.")
@INSTANCE
def lineage(key: str, depth: int, versions: bool, as_json: bool, instance: str) -> None:
    """Show what a dataset was made from and what depends on it."""
    department, _, slug = key.partition("/")
    cat = Catalogue.from_env(instance, background_reads=False)
    try:
        with cat.session() as s:
            graph = lineage_graph(s, Reader.everyone(), department, slug, depth, versions)
    finally:
        cat.close()
    if as_json:
        click.echo(json.dumps(graph.model_dump(mode="json"), indent=2))
        return
    for title, side in (("Made from", [n for n in graph.nodes if n.distance < 0]),
                        ("Used to make", [n for n in graph.nodes if n.distance > 0])):
        click.echo(f"{title}:")
        for node in sorted(side, key=lambda n: (abs(n.distance), n.id)):
            click.echo(f"  {'  ' * (abs(node.distance) - 1)}{node.id}  {node.label}")
        if not side:
            click.echo("  nothing recorded")
    click.echo("What depends on this:")
    for dependant in graph.depends_on_this:
        click.echo(f"  {dependant.dataset} ({dependant.distance} hop"
                   f"{'s' if dependant.distance != 1 else ''}): "
                   f"{', '.join(dependant.owners) or 'no owners named'}")
    if not graph.depends_on_this:
        click.echo("  nothing")
