# The whole interface for a contributor: make preview, make test, make lint.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
POLICY_VENV := policies/venv
STACK ?= dev
ARGS ?=

.PHONY: pack-config venv policies-venv constraints stacks preview preview-json up diagram docs-picture test unit faults lint format typecheck bench clean

venv: $(VENV)/.installed
policies-venv: $(POLICY_VENV)/.installed

# Progress goes to stderr, so `make preview-json` prints nothing but JSON on stdout.
$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@echo "Installing the program's dependencies into $(VENV) (first run only, 2 to 3 minutes on 2 cores)..." >&2
	@$(PYTHON) -m venv $(VENV) >&2
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt >&2
	@# The runbook is run as `python -m ops` from any directory (an on-call engineer's own):
	@# the checkout goes on the virtualenv's path, as an editable install would put it.
	@$(PY) -c 'import pathlib, site; pathlib.Path(site.getsitepackages()[0], "webstack.pth").write_text(str(pathlib.Path.cwd()) + "\n")'
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

## Every stack file as a JSON list, for CI matrices: make stacks [EXCLUDE='dev prod']
# Plain python3 (no virtualenv): the same rule as tools.stackfile.known_stacks.
EXCLUDE ?=
stacks:
	@$(PYTHON) -c 'import json, pathlib, sys; skip = sys.argv[1:]; print(json.dumps(sorted(n for n in (p.name[len("Pulumi."):-len(".yaml")] for p in pathlib.Path(".").glob("Pulumi.*.yaml")) if n not in skip)))' $(EXCLUDE)

## Offline preview of a stack under Pulumi's mock monitor, checked by the policy pack: make preview STACK=prod
## The pack's config is chosen by the stack's environment: policies/config/<environment>.json
PACK_CONFIG = $(shell $(PY) -m tools.stackfile pack-config $(STACK) 2>/dev/null)
POLICY_CONFIG = $(if $(PACK_CONFIG),--policy-pack-config $(PACK_CONFIG))

## The pack config `make preview` uses for a stack (empty when its environment has none)
pack-config: venv
	@echo $(PACK_CONFIG)

preview: venv policies-venv
	$(PY) -m tools.preview --stack $(STACK) --policy-pack policies $(POLICY_CONFIG) $(ARGS)

preview-json: venv policies-venv
	@$(PY) -m tools.preview --stack $(STACK) --policy-pack policies $(POLICY_CONFIG) --json $(ARGS)

## Record the stack's state offline, as pulumi up would: make up STACK=dev
## (.pulumi-offline/<stack>.json; the next make preview shows the changes against it)
up: venv policies-venv
	$(PY) -m tools.preview --stack $(STACK) --policy-pack policies $(POLICY_CONFIG) --deployed --save $(ARGS)

## A picture of the stack from its recorded resources (Graphviz from Debian), into out/: make diagram STACK=dev
diagram: venv
	$(PY) -m tools.diagram --stack $(STACK) --out out/stack-$(STACK).png

## Redraw the picture the README shows (prod's, committed in docs/)
docs-picture: venv
	$(PY) -m tools.diagram --stack prod --out docs/stack-prod.png

## Lint, type-check and the whole test suite (what CI runs)
test: lint typecheck unit faults

unit: venv policies-venv
	$(PY) -m pytest -n 2 --dist loadfile -m "not faults"

## The runbook under faults (moto on loopback): SIGKILL at every step, a fault proxy, a model test
faults: venv
	$(PY) -m pytest -n 2 --dist loadfile -m faults tests/ops

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

typecheck: venv
	$(PY) -m mypy
	$(PY) -m mypy --config-file policies/mypy.ini

## Benchmarks (prints figures): offline preview time and peak memory per stack, then the policy
## pack's throughput through the analyzer protocol at 1,000 and 10,000 resources, ours vs the
## SDK's stock servicer (bench_policies times the stock one at its smallest size: run twice)
bench: venv policies-venv
	$(PY) -m tools.bench_preview
	$(PY) -m tools.bench_policies --stock
	$(PY) -m tools.bench_policies --stock --sizes 10000
	$(PY) -m tests.ops.bench

clean:
	rm -rf $(VENV) $(POLICY_VENV) .venv-pin .pytest_cache .mypy_cache .ruff_cache
