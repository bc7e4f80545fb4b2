"""Reference data: provinces, countries, languages and the field taxonomy."""
