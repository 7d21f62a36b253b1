"""Charts: Vega-Lite specifications (built with Altair) of what the catalogue already knows,
drawn in the browser. The figures come from the index (versions' sizes) and the profiles
(rows, each column's statistics), as the reader may see them; each chart's figures are also
given as a table, its text alternative."""
