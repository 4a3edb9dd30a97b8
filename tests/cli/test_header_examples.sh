#!/usr/bin/env bash
# The usage examples at the top of the public headers compile, warning-free, as a
# user would paste them: each becomes the body of a function that gets the model's
# bytes, built against the headers alone and linked with the library.
# Usage: test_header_examples.sh CC INCLUDE_DIR TMP_DIR [FLAGS and] LIBRARIES...
set -euo pipefail
cc=$1 include=$2 tmp=$3/header_examples
shift 3
mkdir -p "$tmp"
status=0
for header in shelf.h shelf_train.h; do
  # The example: the lines indented as code (" *     ") after the line that says
  # "Usage", up to the first line that is not code.
  body=$(awk '/^ \*\// { exit } /Usage/ { on = 1; next }
              on && /^ \*     / { sub(/^ \*     /, "    "); print; code = 1; next }
              on && code { exit }' "$include/$header")
  if [ -z "$body" ]; then echo "FAIL: $header has no usage example" >&2; status=1; continue; fi
  src="$tmp/${header%.h}_example.c"
  {
    echo '#include <stdio.h>'
    echo '#include "shelf.h"'
    echo '#include "shelf_train.h"'
    # shelf.h's example opens a model from `bytes` and `size`; shelf_train.h's makes one.
    if [ $header = shelf.h ]; then params='const void *bytes, size_t size'; else params='void'; fi
    echo "void example($params);"
    echo "void example($params) {"
    echo "$body"
    echo '}'
    echo 'int main(void) { return 0; }'
  } > "$src"
  if ! "$cc" -std=c11 -Wall -Wextra -Werror -I"$include" "$src" "$@" -lm -o "$tmp/${header%.h}_example" 2>"$tmp/err"; then
    echo "FAIL: the example of $header does not compile:" >&2
    cat "$tmp/err" >&2
    status=1
  fi
done
[ $status = 0 ] && echo "test_header_examples: both examples compile"
exit $status
