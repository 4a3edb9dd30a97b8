# Sourced by the scripts of tools/ and models/: where things are.
#   top        the repository
#   data_dir   the shared public data (SHELF_DATA_DIR, default ../shared/data beside
#              the repository; CMakeLists.txt and web/scripts/artifacts.mjs use the
#              same variable and default)
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data_dir=${SHELF_DATA_DIR:-$top/../shared/data}
export SHELF_DATA_DIR=$data_dir
