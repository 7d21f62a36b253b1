"""Knowing the data before fetching it: profiles of every tabular file of every version (made
by the job worker, never in a web request), masked previews, and comparing two versions."""
