/* Listing a model's sections (for `shelf inspect`): read from the section table,
 * which shelf_model_open() has already validated. */
#include "model_internal.h"
#include "shelf_common.h"

uint32_t shelf_model_section_count(const shelf_model *model) {
    return model ? shelf__load_u32(model->bytes + SHELF__HDR_SECTION_COUNT) : 0;
}

shelf_status shelf_model_section(const shelf_model *model, uint32_t index, shelf_section_info *info) {
    if (!model || !info) return SHELF_E_NULL_ARGUMENT;
    if (index >= shelf_model_section_count(model)) return SHELF_E_BAD_ARGUMENT;
    static const char *const names[SHELF__SECTION_TYPE_LIMIT] = {
        "unknown", "metadata", "item_ids", "item_index", "category_names", "item_attributes",
        "popularity", "covisit", "sequential", "embeddings"};
    const uint8_t *entry = model->bytes + SHELF__HEADER_SIZE + (size_t)index * SHELF__SECTION_ENTRY_SIZE;
    uint32_t type = shelf__load_u32(entry + SHELF__SEC_TYPE);
    uint32_t encoding = shelf__load_u32(entry + SHELF__SEC_ENCODING);
    info->name = type < SHELF__SECTION_TYPE_LIMIT ? names[type] : "unknown";
    if (type >= SHELF__SECTION_POPULARITY && type <= SHELF__SECTION_EMBEDDINGS)
        info->encoding = encoding == SHELF__ENCODING_EF4 ? "ef4" : encoding == SHELF__ENCODING_Q8 ? "q8"
                       : encoding == SHELF__ENCODING_Q16 ? "q16" : "float32";
    else
        info->encoding = "none";
    info->offset = shelf__load_u64(entry + SHELF__SEC_OFFSET);
    info->length = shelf__load_u64(entry + SHELF__SEC_LENGTH);
    info->checksum = shelf__load_u32(entry + SHELF__SEC_CHECKSUM);
    return SHELF_OK;
}
