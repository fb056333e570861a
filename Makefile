# 扎兰屯党建网 — two commands set everything up: `make site` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export PYTHONDONTWRITEBYTECODE := 1
# CONTENT: the content repository every command below reads (default: this
# one), e.g. make check CONTENT=../another-site; REPO is its older name, kept
# for make edit / make save. Outputs (site/, dist/, .build/) go into that repository.
REPO    ?=
CONTENT ?= $(REPO)
ROOT_ARG = $(if $(CONTENT),--root "$(CONTENT)",)

.PHONY: site preview serve check release audit new schema samples publish rollback releases nginx-conf clean-photos edit save newsroom bench bench-print print print-deps test test-fast test-real-content system-deps clean offline lighthouse screenshots

site: $(VENV)/.installed            ## build the public site into site/
	$(BIN)/python -m scripts $(ROOT_ARG) build

preview: $(VENV)/.installed         ## build with unpublished records, marked
	$(BIN)/python -m scripts $(ROOT_ARG) build --preview --site "$(or $(CONTENT),.)/.build/preview"

serve: $(VENV)/.installed           ## live preview on http://127.0.0.1:8000
	$(BIN)/python -m scripts $(ROOT_ARG) serve

# The editors' workbench (forms in the browser, checks and preview beside them)
# on http://127.0.0.1:8080; Ctrl+C stops it. Decap CMS is pinned in
# tools/decap/package.json (npm, not in git). CONTENT (or REPO): another content
# repository; ADDRESS: another address (port 0: any free port).
ADDRESS ?= 127.0.0.1:8080
edit: $(VENV)/.installed tools/decap/node_modules/.installed   ## the editors' workbench in the browser
	$(BIN)/python -m scripts $(ROOT_ARG) edit --address "$(ADDRESS)"

save: $(VENV)/.installed            ## check, then commit the changed records and photos with a Chinese message
	$(BIN)/python -m scripts $(ROOT_ARG) save

tools/decap/node_modules/.installed: tools/decap/package.json tools/decap/package-lock.json
	@command -v node >/dev/null || { echo "需要 Node.js（node 和 npm）：请先安装，如 apt-get install nodejs npm"; exit 1; }
	cd tools/decap && npm ci --no-audit --no-fund --loglevel=error
	touch $@

offline: $(VENV)/.installed         ## one zip in dist/ for the terminals, opened from file://
	$(BIN)/python -m scripts $(ROOT_ARG) offline

# The 先进典型事迹材料汇编 and the 专题片目录 as PDFs in dist/ (scripts/print/,
# templates/print/); POSTER=<id>: that record's A4 poster instead; SAMPLES=1:
# the samples too, marked 示例 on every page (for checking the layout only);
# REVIEW_SHEET=<id> or <kind>/<id>: that item's 信息发布审核单 instead.
print: $(VENV)/.installed print-deps   ## make print ; make print POSTER=moguqi-dangwei [SAMPLES=1] ; make print REVIEW_SHEET=unit/moguqi-dangwei
	$(BIN)/python -m scripts $(ROOT_ARG) print $(if $(POSTER),--poster "$(POSTER)",) $(if $(SAMPLES),--samples,) \
	  $(if $(REVIEW_SHEET),--review-sheet "$(REVIEW_SHEET)",)

check: $(VENV)/.installed           ## validate every record, page and wording
	$(BIN)/python -m scripts $(ROOT_ARG) check

release: $(VENV)/.installed         ## the gate before publishing
	$(BIN)/python -m scripts $(ROOT_ARG) check --release

audit: $(VENV)/.installed           ## 网站自查 against the inspection's veto items; report in .build/audit/index.html (TODAY=2026-12-20: as on that day)
	$(BIN)/python -m scripts $(ROOT_ARG) audit $(if $(TODAY),--today "$(TODAY)",)

new: $(VENV)/.installed             ## make new KIND=unit NAME=某某党支部
	$(BIN)/python -m scripts $(ROOT_ARG) new "$(KIND)" "$(NAME)"

# Publishing (README: 上线与发布). DEPLOY_TARGET is a folder of this machine
# (/srv/zhalantun-dangjian) or user@host:/srv/zhalantun-dangjian over SSH;
# nginx serves its `current`. HSTS_SUBDOMAINS=0: HSTS for the site's host only.
DEPLOY_TARGET ?=
DEPLOY_KEEP   ?= 5
DEPLOY_SSH    ?=
DEPLOY_BWLIMIT ?=
NGINX_CONF    ?=
SSL_CERT      ?=
SSL_KEY       ?=
HSTS_SUBDOMAINS ?= 1
TARGET_ARGS = --target "$(DEPLOY_TARGET)" $(if $(DEPLOY_SSH),--ssh "$(DEPLOY_SSH)",)

publish: $(VENV)/.installed         ## the gate, then a new release on DEPLOY_TARGET, made live at once
	$(BIN)/python -m scripts $(ROOT_ARG) publish $(TARGET_ARGS) --keep $(DEPLOY_KEEP) \
	  $(if $(DEPLOY_BWLIMIT),--bwlimit $(DEPLOY_BWLIMIT),) $(if $(NGINX_CONF),--nginx-conf "$(NGINX_CONF)",)

rollback: $(VENV)/.installed        ## back along the target's history: the release live before the live one
	$(BIN)/python -m scripts $(ROOT_ARG) rollback $(TARGET_ARGS) $(if $(TO),--to "$(TO)",)

releases: $(VENV)/.installed        ## list the releases on DEPLOY_TARGET and its last switches
	$(BIN)/python -m scripts $(ROOT_ARG) releases $(TARGET_ARGS)

nginx-conf: $(VENV)/.installed      ## .build/nginx/zhalantun-dangjian.conf from mkdocs.yml and the built site
	$(BIN)/python -m scripts $(ROOT_ARG) build
	$(BIN)/python -m scripts $(ROOT_ARG) nginx $(if $(DEPLOY_TARGET),--target "$(DEPLOY_TARGET)",) \
	  $(if $(SSL_CERT),--cert "$(SSL_CERT)",) $(if $(SSL_KEY),--key "$(SSL_KEY)",) --hsts-subdomains "$(HSTS_SUBDOMAINS)"

# Lists the sample records and every reference to them; YES=1 removes them.
samples: $(VENV)/.installed         ## make samples (list) ; make samples YES=1 (remove)
	$(BIN)/python -m scripts $(ROOT_ARG) samples $(if $(YES),--yes,)

schema: $(VENV)/.installed          ## rewrite .vscode/schemas/ from scripts/records/schema.yaml
	$(BIN)/python -m scripts $(ROOT_ARG) schema

clean-photos: $(VENV)/.installed    ## remove the location and camera data from the repository's photos
	$(BIN)/python -m scripts $(ROOT_ARG) clean-photos

# The newsroom (审稿系统, README: 审稿系统), tried on http://127.0.0.1:8090 on a
# clone of the repository in .build/newsroom-try/ (its first admin's password
# printed once); on a server it runs behind nginx. ARGS: a subcommand for this
# repository itself, e.g. make newsroom ARGS=init, ARGS="user list".
newsroom: $(VENV)/.installed        ## try the newsroom on 127.0.0.1:8090 (make newsroom ARGS="user add …")
	$(BIN)/python -m scripts $(ROOT_ARG) newsroom $(or $(ARGS),try --address 127.0.0.1:8090)

# Build timings at three sizes (shipped, 1,000 and 10,000 records), written to
# BENCHMARKS.md (scripts/dev/bench.py), then the live preview (save → page), then
# the newsroom under load: 60 contributors saving and submitting within a minute
# (scripts/dev/bench_newsroom.py).
# Quick try: make bench BENCH_ARGS="--sizes shipped,1000 --runs 1"
BENCH_ARGS ?=
bench: $(VENV)/.dev-installed system-deps   ## build timings into BENCHMARKS.md; live preview timing; the newsroom under load
	$(BIN)/python -m scripts.dev.bench $(BENCH_ARGS)
	$(BIN)/python -m pytest -q -s tests/test_serve.py
	printf '\n## Live preview (make serve)\n\n' >> BENCHMARKS.md
	cat .build/bench/serve.txt >> BENCHMARKS.md
	$(BIN)/python -m scripts.dev.bench_newsroom --out .build/bench/newsroom.md
	printf '\n' >> BENCHMARKS.md
	cat .build/bench/newsroom.md >> BENCHMARKS.md

# make print at the shipped size and at 1,000 synthetic records, next to the web
# build of the same records: a section of BENCHMARKS.md (scripts/dev/bench_print.py).
BENCH_PRINT_ARGS ?=
bench-print: $(VENV)/.installed print-deps   ## print timings into BENCHMARKS.md
	$(BIN)/python -m scripts.dev.bench_print $(BENCH_PRINT_ARGS)

test: $(VENV)/.dev-installed system-deps tools/decap/node_modules/.installed   ## the whole test suite
	$(BIN)/python -m pytest -q tests

# make test again on a clean clone with every sample removed and two real
# records added: the tests must hold for the department's own content (CI runs it).
test-real-content: $(VENV)/.dev-installed system-deps
	bash scripts/dev/real_content.sh

test-fast: $(VENV)/.dev-installed     ## the inner loop: no browser, nothing slow (under a minute)
	$(BIN)/python -m pytest -q -m "not browser and not slow" tests

# Lighthouse (mobile) on the built site served by nginx as on the server (the
# home page and a record page of every kind); writes LIGHTHOUSE.md.
# Lighthouse is pinned in tools/lighthouse/package.json (npm, not in git).
lighthouse: $(VENV)/.installed tools/lighthouse/node_modules/.installed system-deps
	$(BIN)/python -m scripts build
	CHROME_PATH=/usr/bin/chromium $(BIN)/python -m scripts.dev.lighthouse

# Phone (390×844) and desktop (1366×768) pictures of every page kind of the
# built site, into .build/screenshots/ (not committed): look at the site as a
# reader does. SCREENSHOTS_ARGS="--full" for whole pages.
SCREENSHOTS_ARGS ?=
screenshots: $(VENV)/.dev-installed system-deps
	$(BIN)/python -m scripts build
	$(BIN)/python -m scripts.dev.screenshots $(SCREENSHOTS_ARGS)

tools/lighthouse/node_modules/.installed: tools/lighthouse/package.json
	cd tools/lighthouse && npm ci --no-audit --no-fund
	touch $@

# The first time, pip is silent for a minute or two: say so before it starts.
$(VENV)/.installed: requirements.txt
	@echo "正在安装所需软件，约需 1–2 分钟……"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@
	@echo "所需软件已安装。"

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	@echo "正在安装测试所需的软件，约需 1 分钟……"
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Debian's Chromium and CJK fonts for the browser tests (without the fonts,
# Chinese renders as boxes). Installed only when missing; needs root.
system-deps: print-deps
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  echo "正在安装 chromium 和 fonts-noto-cjk ……"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk fontconfig; \
	fi
	@# Node.js runs the editors' workbench (Decap CMS, tests/browser/test_workbench.py).
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
	  echo "正在安装 nodejs 和 npm ……"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm; \
	fi
	@# ffmpeg makes the tiny test film of tests/browser/test_video.py.
	@if ! command -v ffmpeg >/dev/null; then \
	  echo "正在安装 ffmpeg ……"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ffmpeg; \
	fi
	@# nginx serves the site in the tests as on the server (its own instance:
	@# the package's service is not started); rsync and OpenSSH publish, and
	@# the tests publish over SSH to a sshd of their own on 127.0.0.1.
	@if ! test -x /usr/sbin/nginx || ! command -v rsync >/dev/null || ! test -x /usr/sbin/sshd || ! command -v openssl >/dev/null; then \
	  echo "正在安装 nginx、rsync、openssh ……"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	    nginx rsync openssh-client openssh-server openssl; \
	fi
	@# PostgreSQL: the newsroom's tests run it on a throwaway cluster of their own
	@# (tests/newsroom/pg.py; the package's service is not needed).
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "正在安装 postgresql ……"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql; \
	fi
	@# poppler-utils (pdftotext, pdffonts, pdftoppm) and zbar-tools (zbarimg) read
	@# the PDFs and QR codes back in the tests of make print (tests/test_print*.py).
	@if ! command -v pdftotext >/dev/null || ! command -v zbarimg >/dev/null; then \
	  echo "正在安装 poppler-utils 和 zbar-tools ……"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends poppler-utils zbar-tools; \
	fi

# WeasyPrint's system libraries (Pango ≥ 1.44 with its FreeType backend, HarfBuzz's
# subsetter) and the CJK fonts it embeds: what `make print` needs, no more.
# Installed when missing (as root); for another user, the packages to ask the
# administrator for (scripts/print/__main__.py).
print-deps: $(VENV)/.installed
	@$(BIN)/python -m scripts.print

clean:
	rm -rf site .build dist
