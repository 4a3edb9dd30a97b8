#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: shelf related --model MODEL --item ID [--k K] [options]\n"
    "\n"
    "Items related to one item, as its product page would show them: from the model\n"
    "alone (the item's \"viewed together\" and \"viewed next\" neighbours and nearest\n"
    "embeddings; popularity for the rest), with no session. Never the item itself.\n"
    "Prints the top K with their scores and the reason for each.\n"
    "\n"
    "  --item ID             the item on the page\n"
    CLI_REQUEST_HELP;

int cli_related(int argc, char **argv) {
    const char *model_path = NULL, *id = NULL, *value;
    cli_request options;
    cli_request_init(&options);
    shelf_request *request = &options.request;
    for (int i = 1; i < argc; i++) {
        int shared = cli_request_option(&options, argc, argv, &i, usage);
        if (shared < 0) return 2;
        if (shared) continue;
        if (cli_flag(argv[i], "--help") || cli_flag(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if ((value = cli_option(argc, argv, &i, "--model"))) model_path = value;
        else if ((value = cli_option(argc, argv, &i, "--item"))) id = value;
        else return cli_usage_error(usage, "related: unknown option '%s'", argv[i]);
    }
    if (!model_path || !id) return cli_usage_error(usage, "related: give --model MODEL and --item ID");
    if (request->k == 0 || request->k > 1000) return cli_usage_error(usage, "--k must be in 1..1000");

    void *bytes;
    shelf_model *model = cli_open_model(model_path, &bytes);
    uint32_t item = 0;
    int failed = !model;
    char shown[CLI_ID_TEXT];
    if (!failed && shelf_model_find_item(model, id, strlen(id), &item) != SHELF_OK)
        failed = cli_error("unknown item %s (not in %s)", cli_id_text(id, shown), model_path);
    if (!failed) failed = cli_request_resolve(&options, model, model_path);
    if (!failed) {
        static shelf_result results[1000];
        size_t count = 0;
        double t0 = cli_seconds();
        shelf_status status = shelf_related(model, item, request, results, request->k, &count);
        double elapsed = cli_seconds() - t0;
        if (status != SHELF_OK) {
            failed = cli_error("related failed: %s (%s)", shelf_status_message(status), shelf_status_name(status));
        } else {
            if (!options.json)
                printf("%zu items related to %s in %.0f us (%u items ranked)\n", count, id, elapsed * 1e6,
                       shelf_model_item_count(model));
            cli_print_results(model, results, count, options.json);
        }
    }
    cli_request_free(&options);
    shelf_model_close(model);
    free(bytes);
    return failed ? 1 : 0;
}
