#!/usr/bin/env bash
# Style and static checks, as CI runs them: clang-format (the root .clang-format) must leave
# every tracked C++ file unchanged, then clang-tidy (the root .clang-tidy's bugprone/performance
# checks, findings are errors) over src/ with a build's compile_commands.json. Needs
# clang-format and clang-tidy 14 (`bash .ci/install-deps --lint`). About 3 minutes on 2 cores.
#
# usage: tests/run_lint.sh [BUILD_DIR]
#   BUILD_DIR  a build configured with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON; default build-lint
#              beside the sources, configured here (no compiling needed) when it has no
#              compile_commands.json
set -euo pipefail

source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-"$source_dir/build-lint"}
cd "$source_dir"

mapfile -t cxx_files < <(git ls-files '*.cpp' '*.hpp' '*.h')
echo "clang-format: ${#cxx_files[@]} files"
clang-format --dry-run --Werror "${cxx_files[@]}"

if [ ! -f "$build_dir/compile_commands.json" ]; then
  cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
fi
echo "clang-tidy: src/ with $build_dir/compile_commands.json"
run-clang-tidy -quiet -p "$build_dir" -j "$(nproc)" "$source_dir/src/" >"$build_dir/clang-tidy.log" 2>&1 ||
  {
    grep -E 'warning:|error:' "$build_dir/clang-tidy.log" | sort -u >&2
    echo "clang-tidy: findings above (full log: $build_dir/clang-tidy.log)" >&2
    exit 1
  }
echo "clang-tidy: clean"
