# A thin front door to the meson build. Everything real lives in meson.build
# and scripts/.
PREFIX ?= /usr/local
BUILD ?= build
MESON_FLAGS ?=

.PHONY: all deps build install demo check unit integration bench clean

all: build

deps:
	@scripts/deps.sh

$(BUILD)/build.ninja:
	@scripts/deps.sh
	meson setup $(BUILD) --prefix=$(PREFIX) $(MESON_FLAGS)

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

install: build
	meson install -C $(BUILD) --no-rebuild

demo: build
	@scripts/demo.sh $(BUILD)

check: build
	@scripts/check.sh $(BUILD)

bench: build
	@scripts/deps.sh --bench
	@bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD)
