"""Demo data: ``flask seed-demo`` fills an empty database with a realistic, bilingual directory."""
