# The whole interface for a contributor: make preview, make test, make lint.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
POLICY_VENV := policies/venv
STACK ?= dev
ARGS ?=

.PHONY: venv policies-venv constraints preview preview-json test unit lint format typecheck bench clean

venv: $(VENV)/.installed
policies-venv: $(POLICY_VENV)/.installed

# Progress goes to stderr, so `make preview-json` prints nothing but JSON on stdout.
$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@echo "Installing the program's dependencies into $(VENV) (first run only, about a minute)..." >&2
	@$(PYTHON) -m venv $(VENV) >&2
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt >&2
	@touch $@

# The policy pack gets its own virtualenv from its own requirements, as `pulumi preview
# --policy-pack policies` builds it (PulumiPolicy.yaml: runtime.options.virtualenv = venv).
$(POLICY_VENV)/.installed: policies/requirements.txt
	@echo "Installing the policy pack's dependencies into $(POLICY_VENV) (first run only)..." >&2
	@$(PYTHON) -m venv $(POLICY_VENV) >&2
	@$(POLICY_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r policies/requirements.txt >&2
	@touch $@

## Re-pin every package of .venv after a requirements change (writes constraints.txt)
constraints:
	rm -rf .venv-pin && $(PYTHON) -m venv .venv-pin
	.venv-pin/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	{ sed -n '1,3p' constraints.txt; .venv-pin/bin/python -m pip freeze --disable-pip-version-check; } > constraints.tmp
	mv constraints.tmp constraints.txt && rm -rf .venv-pin

## Offline preview of a stack under Pulumi's mock monitor, checked by the policy pack: make preview STACK=prod
POLICY_CONFIG = $(if $(wildcard policies/config/$(STACK).json),--policy-pack-config policies/config/$(STACK).json)

preview: venv policies-venv
	$(PY) -m tools.preview --stack $(STACK) --policy-pack policies $(POLICY_CONFIG) $(ARGS)

preview-json: venv policies-venv
	@$(PY) -m tools.preview --stack $(STACK) --policy-pack policies $(POLICY_CONFIG) --json $(ARGS)

## Lint, type-check and the whole test suite (what CI runs)
test: lint typecheck unit

unit: venv policies-venv
	$(PY) -m pytest

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

typecheck: venv
	$(PY) -m mypy
	$(PY) -m mypy --config-file policies/mypy.ini

## Policy pack throughput through the analyzer protocol (prints figures)
bench: venv policies-venv
	$(PY) -m tools.bench_policies --stock

clean:
	rm -rf $(VENV) $(POLICY_VENV) .pytest_cache .mypy_cache .ruff_cache
