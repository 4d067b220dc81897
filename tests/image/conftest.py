from registry_fixture import local_registry  # noqa: F401  (a fixture)
