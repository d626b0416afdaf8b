# Two commands matter: `make demo` (the main job) and `make test` (the whole test suite).
# Each creates .venv on first use and installs what it needs; torch is pinned for this project.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
TORCH  ?= torch==2.13.0
export OMP_NUM_THREADS ?= 1

.PHONY: demo test bench corpus browser clean

$(VENV)/.installed: pyproject.toml
	# --copies: a venv whose python is a real file still finds its packages when the path is resolved
	$(PYTHON) -m venv --copies $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e ".[test]"
	touch $@

# Debian's chromium for the HTML report's browser test (skipped when it cannot be installed).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "chromium not installed: browser test will be skipped"; }

demo: $(VENV)/.installed
	$(VENV)/bin/tensorsight trace examples/lenet.py:Net --input 1x1x32x32

test: $(VENV)/.installed browser
	$(PY) -m pytest -q

# the diagnosis corpus (tests/corpus): dev and held-out splits scored apart, through the CLI
corpus: $(VENV)/.installed
	$(PY) tests/corpus/score.py --split all --json tests/corpus/results.json

bench: $(VENV)/.installed
	$(PY) -m pip install -q -e ".[bench]"
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) build src/*.egg-info
