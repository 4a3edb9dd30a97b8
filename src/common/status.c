#include "shelf_common.h"

#define SHELF__STR2(x) #x
#define SHELF__STR(x) SHELF__STR2(x)

unsigned shelf_version_number(void) { return SHELF_VERSION_NUMBER; }

const char *shelf_version_string(void) {
    return SHELF__STR(SHELF_VERSION_MAJOR) "." SHELF__STR(SHELF_VERSION_MINOR) "." SHELF__STR(SHELF_VERSION_PATCH);
}

/* One table gives both the name and the message, so they cannot drift apart. */
static const struct {
    const char *name;
    const char *message;
} statuses[] = {
    {"SHELF_OK", "success"},
    {"SHELF_E_NULL_ARGUMENT", "a required pointer was NULL"},
    {"SHELF_E_BAD_ARGUMENT", "an argument is out of its documented range"},
    {"SHELF_E_OUT_OF_MEMORY", "out of memory"},
    {"SHELF_E_BAD_MAGIC", "not a .shelf model (bad magic bytes)"},
    {"SHELF_E_UNSUPPORTED_VERSION", "unsupported model format version"},
    {"SHELF_E_TRUNCATED", "the model is shorter than its header says (truncated)"},
    {"SHELF_E_BAD_HEADER", "a model header field is invalid"},
    {"SHELF_E_BAD_SECTION_TABLE", "the model's section table is invalid"},
    {"SHELF_E_CHECKSUM_MISMATCH", "a model checksum does not match (corrupted file)"},
    {"SHELF_E_MISSING_SECTION", "a required model section is missing"},
    {"SHELF_E_BAD_SECTION", "a model section's content is invalid"},
    {"SHELF_E_BAD_METADATA", "the model's JSON metadata is malformed or invalid"},
    {"SHELF_E_UNKNOWN_ITEM", "unknown item"},
    {"SHELF_E_UNKNOWN_CATEGORY", "unknown category"},
    {"SHELF_E_BAD_EVENT", "invalid event (type, timestamp or weight)"},
    {"SHELF_E_BAD_STATE", "malformed session state"},
    {"SHELF_E_STATE_MISMATCH", "session state saved with another model"},
    {"SHELF_E_BUFFER_TOO_SMALL", "output buffer too small"},
    {"SHELF_E_IO", "file input/output failed"},
    {"SHELF_E_PARSE", "malformed input file"},
};

const char *shelf_status_name(shelf_status status) {
    if ((unsigned)status < sizeof statuses / sizeof statuses[0]) return statuses[status].name;
    return "SHELF_E_UNKNOWN_STATUS";
}

const char *shelf_status_message(shelf_status status) {
    if ((unsigned)status < sizeof statuses / sizeof statuses[0]) return statuses[status].message;
    return "unknown status";
}
