"""Lineage: what each version was derived from (built at index time) and the graph of it that
readers see."""
