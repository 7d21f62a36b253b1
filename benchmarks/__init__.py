"""The project's benchmark pipeline (see the root `dvc.yaml`); not part of the test suite."""
