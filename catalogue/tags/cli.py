"""`catalogue tags`: a dataset's suggested tags, accepted or dismissed from the command line
(run by whoever runs the catalogue, as an operator). catalogue.cli loads this module only when
the command runs."""

from __future__ import annotations

import json

import click

from catalogue.access import Reader
from catalogue.audit import Actor
from catalogue.cli import INSTANCE
from catalogue.core import Catalogue
from catalogue.tags.schemas import public


@click.command()
@click.argument("key", metavar="DEPARTMENT/DATASET")
@click.option("--accept", "accepted", multiple=True, metavar="TAG", help="Accept this tag.")
@click.option("--dismiss", "dismissed", multiple=True, metavar="TAG", help="Dismiss this tag.")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON, as GET /api/v1/datasets/KEY/suggested-tags answers.")
@INSTANCE
def tags(key: str, accepted: tuple[str, ...], dismissed: tuple[str, ...], as_json: bool,
         instance: str) -> None:
    """Suggest tags for a dataset; accept or dismiss them."""
    cat = Catalogue.from_env(instance, background_reads=False)
    everyone, actor = Reader.everyone(), Actor.command_line()
    try:
        review = cat.tags.review(None, everyone, key, operator=True)
        for decision, chosen in (("accept", accepted), ("dismiss", dismissed)):
            for tag in chosen:
                review = cat.tags.decide(None, everyone, actor, key, tag, decision,
                                         operator=True)
    finally:
        cat.close()
    if as_json:
        click.echo(json.dumps(public(review).model_dump(mode="json"), indent=2))
        return
    click.echo("Suggested: " + (", ".join(f"{t.tag} ({t.score:.2f})" for t in review.suggested)
                                or "none"))
    if review.dataset_yaml_line:
        click.echo("Accepted: " + ", ".join(t.tag for t in review.accepted))
        click.echo(f"Put this line in {key}/dataset.yaml:\n  {review.dataset_yaml_line}")
