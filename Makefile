# Roster: the two commands of README. Each does its own set-up (scripts/setup.sh).
.PHONY: run dev test setup sqlx-prepare fmt lint db-start db-stop

run:            ## build the release and serve http://127.0.0.1:3000 with a demo organization
	scripts/run.sh

dev:            ## the development loop: debug build, rebuilt and restarted on every change
	scripts/dev.sh

test:           ## every test: unit, database (real PostgreSQL) and browser (Chromium)
	scripts/test.sh

setup:          ## install the toolchain pieces only
	scripts/setup.sh all

# Regenerates .sqlx (the query data that lets builds work without a database) from a
# migrated database. Run it after changing a query or a migration, and commit .sqlx.
sqlx-prepare:
	scripts/sqlx-prepare.sh

fmt:
	cargo fmt --all

lint:           ## clippy per package, with its own features; the layers and import cycles
	python3 scripts/check-layers.py
	SQLX_OFFLINE=true cargo clippy -p roster-core --all-targets -- -D warnings
	SQLX_OFFLINE=true cargo clippy -p app --lib -- -D warnings
	SQLX_OFFLINE=true cargo clippy -p app --features ssr --lib --tests -- -D warnings
	SQLX_OFFLINE=true cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
	SQLX_OFFLINE=true cargo clippy -p server --all-targets -- -D warnings

db-start:
	scripts/pg.sh start
db-stop:
	scripts/pg.sh stop
