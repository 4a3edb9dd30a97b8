#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: shelf inspect MODEL [--items N]\n"
    "\n"
    "Prints what a model holds: format, sections with their sizes and checksums,\n"
    "item and category counts, embedding width, bytes per item, the metadata, and\n"
    "the first N item ids (default 5).\n";

int cli_inspect(int argc, char **argv) {
    const char *path = NULL, *value;
    uint32_t show = 5;
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv[i], "--help") || cli_flag(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if ((value = cli_option(argc, argv, &i, "--items"))) {
            if (cli_parse_u32(value, "--items", &show)) return 2;
        } else if (argv[i][0] == '-') return cli_usage_error(usage, "inspect: unknown option '%s'", argv[i]);
        else if (!path) path = argv[i];
        else return cli_usage_error(usage, "inspect: one model at a time");
    }
    if (!path) return cli_usage_error(usage, "inspect: give a MODEL");
    void *bytes;
    shelf_model *model = cli_open_model(path, &bytes);
    if (!model) return 1;
    uint32_t items = shelf_model_item_count(model);
    uint64_t total = 0;
    printf("model      %s\n", path);
    printf("name       %s\n", shelf_model_name(model));
    printf("format     .shelf version %u, checksums verified\n", SHELF_FORMAT_VERSION);
    printf("items      %u\ncategories %u\ndims       %u\n", items, shelf_model_category_count(model), shelf_model_dims(model));
    printf("\nsection          encoding       offset        bytes  bytes/item  crc32\n");
    for (uint32_t s = 0; s < shelf_model_section_count(model); s++) {
        shelf_section_info info;
        if (shelf_model_section(model, s, &info) != SHELF_OK) continue;
        printf("%-16s %-8s %12llu %12llu %11.1f  %08x\n", info.name, info.encoding, (unsigned long long)info.offset,
               (unsigned long long)info.length, (double)info.length / items, info.checksum);
        total = info.offset + info.length;
    }
    printf("%-16s %-8s %12s %12llu %11.1f\n", "file", "", "", (unsigned long long)total, (double)total / items);
    size_t meta_size;
    const char *meta = shelf_model_metadata(model, &meta_size);
    printf("\nmetadata\n%.*s", (int)meta_size, meta);
    if (meta_size && meta[meta_size - 1] != '\n') putchar('\n');
    if (show) {
        printf("\nfirst items\n");
        for (uint32_t i = 0; i < items && i < show; i++) {
            uint32_t category, flags;
            float price;
            shelf_model_item_attributes(model, i, &category, &price, &flags);
            const char *category_name = shelf_model_category_name(model, category, NULL);
            printf("  %u  %s", i, shelf_model_item_id(model, i, NULL));
            if (category_name) printf("  category %s", category_name);
            if (price == price) printf("  price %.2f", price);
            putchar('\n');
        }
    }
    shelf_model_close(model);
    free(bytes);
    return 0;
}
