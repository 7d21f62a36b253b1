"""Background jobs: a table of work to do (`models.Job`), claimed by workers (`queue`) and run
by `catalogue worker` (`worker`). See `queue` for how a claim survives a crash."""
