#include "shelf_common.h"

#define SHELF__STR2(x) #x
#define SHELF__STR(x) SHELF__STR2(x)

unsigned shelf_version_number(void) { return SHELF_VERSION_NUMBER; }

const char *shelf_version_string(void) {
    return SHELF__STR(SHELF_VERSION_MAJOR) "." SHELF__STR(SHELF_VERSION_MINOR) "." SHELF__STR(SHELF_VERSION_PATCH);
}

/* One table gives both the name and the message, so they cannot drift apart; each
 * entry is keyed by its status, and the count is checked against the enum. */
#define STATUS(name, message) [name] = {#name, message}
static const struct {
    const char *name;
    const char *message;
} statuses[] = {
    STATUS(SHELF_OK, "success"),
    STATUS(SHELF_E_NULL_ARGUMENT, "a required pointer was NULL"),
    STATUS(SHELF_E_BAD_ARGUMENT, "an argument is out of its documented range"),
    STATUS(SHELF_E_OUT_OF_MEMORY, "out of memory"),
    STATUS(SHELF_E_BAD_MAGIC, "not a .shelf model (bad magic bytes)"),
    STATUS(SHELF_E_UNSUPPORTED_VERSION, "unsupported model format version"),
    STATUS(SHELF_E_TRUNCATED, "the model is shorter than its header says (truncated)"),
    STATUS(SHELF_E_BAD_HEADER, "a model header field is invalid"),
    STATUS(SHELF_E_BAD_SECTION_TABLE, "the model's section table is invalid"),
    STATUS(SHELF_E_CHECKSUM_MISMATCH, "a model checksum does not match (corrupted file)"),
    STATUS(SHELF_E_MISSING_SECTION, "a required model section is missing"),
    STATUS(SHELF_E_BAD_SECTION, "a model section's content is invalid"),
    STATUS(SHELF_E_BAD_METADATA, "the model's JSON metadata is malformed or invalid"),
    STATUS(SHELF_E_UNKNOWN_ITEM, "unknown item"),
    STATUS(SHELF_E_UNKNOWN_CATEGORY, "unknown category"),
    STATUS(SHELF_E_BAD_EVENT, "invalid event (type, timestamp or weight)"),
    STATUS(SHELF_E_BAD_STATE, "malformed session state"),
    STATUS(SHELF_E_STATE_MISMATCH, "session state saved with another model"),
    STATUS(SHELF_E_BUFFER_TOO_SMALL, "output buffer too small"),
    STATUS(SHELF_E_IO, "file input/output failed"),
    STATUS(SHELF_E_PARSE, "malformed input file"),
};
#undef STATUS
_Static_assert(sizeof statuses / sizeof statuses[0] == SHELF__STATUS_COUNT, "a name and a message for every status");

const char *shelf_status_name(shelf_status status) {
    if ((unsigned)status < sizeof statuses / sizeof statuses[0]) return statuses[status].name;
    return "SHELF_E_UNKNOWN_STATUS";
}

const char *shelf_status_message(shelf_status status) {
    if ((unsigned)status < sizeof statuses / sizeof statuses[0]) return statuses[status].message;
    return "unknown status";
}
