# The two commands: `make run` (the demo shop on http://127.0.0.1:8000/) and `make test`.
# `make test ARGS="tests/catalog -x"` passes arguments to pytest.
# Both set up .venv and requirements themselves (scripts/bootstrap.sh).
.PHONY: run test setup ci bench lint vendor

run:
	./scripts/run

test:
	./scripts/test $(ARGS)

setup:
	./scripts/bootstrap.sh

lint: setup
	.venv/bin/ruff check .
	.venv/bin/lint-imports

ci:
	bash .ci/run

bench: setup
	.venv/bin/python bench/product_list.py

# Refresh the vendored front-end files (static/vendor/) from package-lock.json: needs npm, run and tests do not.
vendor:
	npm ci --ignore-scripts --no-audit --no-fund
	npm run vendor
