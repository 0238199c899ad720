from tests.procedures.conftest import place  # noqa: F401 - the same people and places
