#!/usr/bin/env bash
# Until the first production deployment, the schema is one initial migration generated from
# the models (0001), followed by migrations that are not generated (0002 loads the reference
# data, 0003 installs the triggers of person_field_tags). Run this after changing models.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f migrations/versions/0001_initial_schema.py
mkdir "$tmp/later"
# Autogenerate compares the models with an empty database upgraded to the head: set the later
# migrations aside meanwhile, and put them back whatever happens.
find migrations/versions -maxdepth 1 -name '*.py' ! -name '0001_initial_schema.py' -exec mv {} "$tmp/later/" \;
trap 'mv "$tmp"/later/*.py migrations/versions/ 2>/dev/null; rm -rf "$tmp"' EXIT
DATABASE_URL="sqlite:///$tmp/empty.sqlite3" INSTANCE_PATH="$tmp" \
  .venv/bin/flask --app app db migrate -m "initial schema" --rev-id 0001_initial_schema >/dev/null
mv migrations/versions/0001_initial_schema_*.py migrations/versions/0001_initial_schema.py
# Autogenerate renders a boolean's server default as SQLite spells it ('1'/'0'), which
# PostgreSQL refuses for a boolean column: write the portable true()/false() instead.
sed -i -E 's/(sa\.Boolean\(\),[[:space:]]*server_default=)sa\.text\(["'"'"']1["'"'"']\)/\1sa.true()/; s/(sa\.Boolean\(\),[[:space:]]*server_default=)sa\.text\(["'"'"']0["'"'"']\)/\1sa.false()/' \
  migrations/versions/0001_initial_schema.py
.venv/bin/ruff format -q migrations/versions/0001_initial_schema.py || true
echo "regenerated migrations/versions/0001_initial_schema.py"
