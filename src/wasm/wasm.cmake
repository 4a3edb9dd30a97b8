# The WebAssembly build (included by CMakeLists.txt when configured with emcmake).
#
# One configuration builds one flavour of the module; tools/build.sh configures two:
#   build-wasm-simd/    -DSHELF_WASM_SIMD=ON   -> shelf-simd.wasm   (SIMD128)
#   build-wasm-scalar/  -DSHELF_WASM_SIMD=OFF  -> shelf-scalar.wasm (any wasm engine)
# Both come from the same C sources. The JS package (web/) picks one at run time.
#
# The module is STANDALONE_WASM without Emscripten's JS glue. Release builds have no
# stdio, no assert (NDEBUG), no clock and no environment, so the module's only
# import is env.emscripten_notify_memory_growth, which the JS stubs as a no-op.
#
# Every build copies its module to web/dist/ (gitignored), where the package loads
# it from: `tools/build.sh` is all it takes to make web/ usable and testable.
#
# The C tests (tests/c/test_*.c) are built too, as Node programs with Emscripten's JS
# glue (they print), and registered with ctest; web/test/c-tests.test.mjs runs them.

option(SHELF_WASM_SIMD "Build the WebAssembly module with SIMD128" ON)

if(SHELF_WASM_SIMD)
  set(shelf_wasm_flavour simd)
  # The whole runtime, not only the kernel files: this module only runs on engines
  # with SIMD128 anyway, and clang may use it anywhere (never changing float results:
  # it does not reassociate without -ffast-math, and -ffp-contract=off stays).
  foreach(layer IN LISTS shelf_runtime_layers ITEMS shelf_model_writer shelf_cjson)
    target_compile_options(${layer} PRIVATE -msimd128)
  endforeach()
else()
  set(shelf_wasm_flavour scalar)
endif()

# Release semantics regardless of CMAKE_BUILD_TYPE: assert() would import abort.
foreach(layer IN LISTS shelf_runtime_layers ITEMS shelf_cjson)
  target_compile_definitions(${layer} PRIVATE NDEBUG)
endforeach()

# The public API of include/shelf.h, one by one, plus the glue of src/wasm/ and the
# allocator the binding copies bytes in with. web/test/binding.test.mjs checks that
# every function shelf.h declares is here and bound in JS.
set(shelf_wasm_exports
  shelf_version_number shelf_version_string
  shelf_status_name shelf_status_message
  shelf_model_open shelf_model_close
  shelf_model_item_count shelf_model_dims shelf_model_name shelf_model_metadata
  shelf_model_find_item shelf_model_item_id
  shelf_model_section_count shelf_model_section
  shelf_model_category_count shelf_model_find_category shelf_model_category_name
  shelf_model_item_attributes shelf_model_set_item_attributes
  shelf_event_type_name shelf_event_type_from_name shelf_event_alias
  shelf_session_create shelf_session_free shelf_session_track shelf_session_clear
  shelf_session_event_count shelf_session_save shelf_session_restore shelf_session_dropped_events
  shelf_request_init shelf_scorer_name shelf_reason_name shelf_recommend shelf_related
  shelf_wasm_constant_count shelf_wasm_constant_name shelf_wasm_constant_value
  malloc free)
list(TRANSFORM shelf_wasm_exports PREPEND "_" OUTPUT_VARIABLE shelf_wasm_export_symbols)
string(JOIN "," shelf_wasm_export_list ${shelf_wasm_export_symbols})

add_executable(shelf_wasm src/wasm/shelf_wasm.c)
target_compile_options(shelf_wasm PRIVATE ${shelf_c_flags})
target_compile_definitions(shelf_wasm PRIVATE NDEBUG)
if(SHELF_WASM_SIMD)
  target_compile_options(shelf_wasm PRIVATE -msimd128)
endif()
# The glue sees shelf.h only, as a program outside the library would.
add_library(shelf_wasm_api INTERFACE)
set_property(TARGET shelf_wasm_api PROPERTY INTERFACE_LINK_LIBRARIES "$<LINK_ONLY:shelf_runtime>")
target_include_directories(shelf_wasm_api INTERFACE ${CMAKE_SOURCE_DIR}/include)
target_link_libraries(shelf_wasm PRIVATE shelf_wasm_api)
# SUFFIX .wasm: emcc then writes the module alone, without JS glue.
# -O3, not -Oz: -Oz saved about 2.5 KB gzipped but made recommend() 2.6x slower
# (7,223 items in Node); -O belongs on the link step too, where wasm-opt runs.
set_target_properties(shelf_wasm PROPERTIES OUTPUT_NAME "shelf-${shelf_wasm_flavour}" SUFFIX ".wasm")
target_link_options(shelf_wasm PRIVATE
  -O3 --no-entry -sSTANDALONE_WASM -sMALLOC=emmalloc
  -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=1MB -sTOTAL_STACK=64KB
  -sEXPORTED_FUNCTIONS=${shelf_wasm_export_list})

set(shelf_wasm_dist "${CMAKE_SOURCE_DIR}/web/dist")
add_custom_command(TARGET shelf_wasm POST_BUILD
  COMMAND ${CMAKE_COMMAND} -E make_directory "${shelf_wasm_dist}"
  COMMAND ${CMAKE_COMMAND} -E copy "$<TARGET_FILE:shelf_wasm>" "${shelf_wasm_dist}/"
  COMMENT "Copying shelf-${shelf_wasm_flavour}.wasm to web/dist/")

# ------------------------------------------------------------------ C tests ---
# The same test programs as natively, under Node: all but SHELF_NATIVE_ONLY_TESTS
# (they read logs and train, which the wasm build does not have). Tests may build
# their models in memory with the model writer, which is plain computation: it is
# linked into the test programs, never into the module.
find_program(SHELF_NODE node REQUIRED)
enable_testing()
file(GLOB shelf_wasm_c_tests CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/tests/c/test_*.c")
set(shelf_wasm_skipped_tests "")
foreach(test_source IN LISTS shelf_wasm_c_tests)
  get_filename_component(test_name ${test_source} NAME_WE)
  if(test_name IN_LIST SHELF_NATIVE_ONLY_TESTS)
    list(APPEND shelf_wasm_skipped_tests ${test_name})
    continue()
  endif()
  add_executable(wasm_${test_name} ${test_source})
  # A .cjs file: CommonJS whatever a package.json above says, and Node runs it as is.
  set_target_properties(wasm_${test_name} PROPERTIES OUTPUT_NAME ${test_name} SUFFIX ".cjs"
    RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests")
  target_include_directories(wasm_${test_name} PRIVATE ${CMAKE_SOURCE_DIR}/tests/c)
  target_compile_definitions(wasm_${test_name} PRIVATE SHELF_TEST_DATA_DIR="${SHELF_DATA_DIR}")
  target_compile_options(wasm_${test_name} PRIVATE ${shelf_c_flags})
  if(SHELF_WASM_SIMD)
    target_compile_options(wasm_${test_name} PRIVATE -msimd128)
  endif()
  # The runtime and the writer, which builds the tests' models in memory.
  target_link_libraries(wasm_${test_name} PRIVATE shelf_runtime shelf_model_writer)
  # -O1: higher levels run emcc's JS optimizer, which needs Node modules (acorn)
  # that Debian's emscripten keeps outside Node's search path.
  # NODERAWFS: the test sees the real file system, as natively. Emscripten's getenv()
  # does not see Node's environment, so the data folder is compiled in (check.h).
  # WASM_ASYNC_COMPILATION=0: the glue then reads the .wasm with fs; otherwise it
  # tries fetch() on a file path, which Node 20 has and rejects.
  target_link_options(wasm_${test_name} PRIVATE
    -O1 -sENVIRONMENT=node -sNODERAWFS=1 -sEXIT_RUNTIME=1 -sALLOW_MEMORY_GROWTH=1
    -sWASM_ASYNC_COMPILATION=0)
  add_test(NAME wasm_${test_name}
    COMMAND ${SHELF_NODE} "${CMAKE_BINARY_DIR}/tests/${test_name}.cjs"
    WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}")
endforeach()
if(shelf_wasm_skipped_tests)
  message(STATUS "C tests left out of the wasm build (they need the native training library): ${shelf_wasm_skipped_tests}")
endif()
