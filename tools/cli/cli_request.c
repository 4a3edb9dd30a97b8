/* The options `shelf recommend` and `shelf related` share: how many, the filters
 * of a shelf_request, the output format; and the printing of results. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_request_init(cli_request *r) {
    memset(r, 0, sizeof *r);
    shelf_request_init(&r->request);
}

void cli_request_free(cli_request *r) {
    free(r->exclude);
    r->exclude = NULL;
}

/* A price bound: a whole number, not "abc" read as 0. */
static int parse_price(const char *text, const char *option, float *out, const char *usage) {
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || !isfinite(v) || v < 0 || v > FLT_MAX) {
        cli_usage_error(usage, "%s: a price >= 0, not '%s'", option, text);
        return 1;
    }
    *out = (float)v;
    return 0;
}

int cli_request_option(cli_request *r, int argc, char **argv, int *i, const char *usage) {
    const char *value;
    shelf_request *q = &r->request;
    if ((value = cli_option(argc, argv, i, "--k"))) {
        if (cli_parse_u32(value, "--k", &q->k)) return -1;
    } else if ((value = cli_option(argc, argv, i, "--per-category"))) {
        if (cli_parse_u32(value, "--per-category", &q->max_per_category)) return -1;
    } else if ((value = cli_option(argc, argv, i, "--category"))) {
        if (r->allow_count == CLI_LIST_MAX) {
            cli_usage_error(usage, "too many --category");
            return -1;
        }
        r->allow_names[r->allow_count++] = value;
    } else if ((value = cli_option(argc, argv, i, "--deny-category"))) {
        if (r->deny_count == CLI_LIST_MAX) {
            cli_usage_error(usage, "too many --deny-category");
            return -1;
        }
        r->deny_names[r->deny_count++] = value;
    } else if ((value = cli_option(argc, argv, i, "--exclude"))) {
        if (r->exclude_list_count == CLI_LIST_MAX) {
            cli_usage_error(usage, "too many --exclude");
            return -1;
        }
        r->exclude_lists[r->exclude_list_count++] = value;
    } else if ((value = cli_option(argc, argv, i, "--min-price"))) {
        if (parse_price(value, "--min-price", &q->min_price, usage)) return -1;
    } else if ((value = cli_option(argc, argv, i, "--max-price"))) {
        if (parse_price(value, "--max-price", &q->max_price, usage)) return -1;
    } else if (cli_flag(argv[*i], "--in-stock")) {
        q->flags |= SHELF_IN_STOCK_ONLY;
    } else if (cli_flag(argv[*i], "--json")) {
        r->json = 1;
    } else {
        return 0;
    }
    return 1;
}

static int find_category(const shelf_model *model, const char *name, uint32_t *category) {
    if (shelf_model_find_category(model, name, strlen(name), category) == SHELF_OK) return 0;
    return cli_error("unknown category '%s' (the model has %u categories)", name, shelf_model_category_count(model));
}

int cli_request_resolve(cli_request *r, const shelf_model *model, const char *model_path) {
    for (uint32_t i = 0; i < r->allow_count; i++)
        if (find_category(model, r->allow_names[i], &r->allow[i])) return 1;
    for (uint32_t i = 0; i < r->deny_count; i++)
        if (find_category(model, r->deny_names[i], &r->deny[i])) return 1;
    r->request.allow_categories = r->allow;
    r->request.allow_count = r->allow_count;
    r->request.deny_categories = r->deny;
    r->request.deny_count = r->deny_count;

    /* An --exclude of n characters names at most n / 2 + 1 ids (one character and a comma each). */
    size_t most = 0;
    for (uint32_t l = 0; l < r->exclude_list_count; l++) most += strlen(r->exclude_lists[l]) / 2 + 1;
    r->exclude = malloc((most ? most : 1) * sizeof *r->exclude);
    if (!r->exclude) return cli_error("out of memory");
    uint32_t count = 0;
    for (uint32_t l = 0; l < r->exclude_list_count; l++) {
        for (const char *id = r->exclude_lists[l]; *id;) {
            size_t size = strcspn(id, ",");
            uint32_t item;
            if (size == 0) {
                /* an empty id between commas names nothing */
            } else if (shelf_model_find_item(model, id, size, &item) == SHELF_OK) {
                r->exclude[count++] = item;
            } else {
                /* As in the JS package: a page may exclude products newer than the model. */
                fprintf(stderr, "shelf: --exclude: no item '%.*s' in %s; ignored\n", (int)size, id, model_path);
            }
            id += size;
            if (*id == ',') id++;
        }
    }
    r->request.exclude_items = r->exclude;
    r->request.exclude_count = count;
    return 0;
}

/* A JSON string: the id as it is, escaped (ids may hold quotes, backslashes, controls). */
static void print_json_string(const char *text) {
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\') printf("\\%c", *c);
        else if (*c < 0x20) printf("\\u%04x", *c);
        else putchar(*c);
    }
    putchar('"');
}

void cli_print_results(const shelf_model *model, const shelf_result *results, size_t count, int json) {
    if (json) printf("[");
    for (size_t r = 0; r < count; r++) {
        const char *id = shelf_model_item_id(model, results[r].item, NULL);
        const char *reason = shelf_reason_name((shelf_reason)results[r].reason);
        const char *from = results[r].reason_item == SHELF_NO_ITEM ? NULL : shelf_model_item_id(model, results[r].reason_item, NULL);
        if (json) {
            printf("%s\n  {\"item\": ", r ? "," : "");
            print_json_string(id);
            /* JSON has no infinities (a boost can overflow a score): those are null. */
            if (isfinite(results[r].score)) printf(", \"score\": %.9g", results[r].score);
            else printf(", \"score\": null");
            printf(", \"reason\": \"%s\"", reason);
            if (from) {
                printf(", \"because\": ");
                print_json_string(from);
            }
            printf("}");
        } else {
            printf("%3zu. %-12s %9.4f  %s", r + 1, id, results[r].score, reason);
            /* An item's reason naming itself (seen before, in the cart) says nothing more. */
            if (from && results[r].reason_item != results[r].item) printf(" (%s)", from);
            putchar('\n');
        }
    }
    if (json) printf("\n]\n");
}
