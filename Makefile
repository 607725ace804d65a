# Thin wrapper over CMake so that the README's commands are short. Build trees:
#   build/        normal build (RelWithDebInfo, gcc)
#   build-asan/   ASan + UBSan build, for `make test-asan`
#   build-clang/  clang build, for `make check-clang`
#   build-fuzz/   clang libFuzzer build, for `make fuzz`
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 30
CMAKE_FLAGS ?=

.PHONY: all bootstrap build test test-asan check-clang check-format fuzz demo format clean

all: build

bootstrap:
	@scripts/bootstrap.sh

build: bootstrap
	@cmake -S . -B build $(CMAKE_FLAGS) >/dev/null
	@cmake --build build -j $(JOBS)

test: build
	@cd build && ctest --output-on-failure -j $(JOBS)

test-asan: bootstrap
	@cmake -S . -B build-asan -DSEG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

check-clang: bootstrap
	@CC=clang cmake -S . -B build-clang $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-clang -j $(JOBS)

fuzz: bootstrap
	@CC=clang cmake -S . -B build-fuzz -DSEG_FUZZ=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

demo: build
	@scripts/demo.sh

format:
	@git ls-files '*.c' '*.h' | xargs clang-format -i

# Fails, naming the files, when any C file differs from .clang-format's output.
check-format:
	@bad=$$(git ls-files '*.c' '*.h' | while read -r f; do \
		clang-format "$$f" | cmp -s - "$$f" || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "not formatted (run make format):"; echo "$$bad"; exit 1; fi

clean:
	rm -rf build build-asan build-clang build-fuzz
