from tests.people.roles import cast  # noqa: F401
