#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "cli.h"

static const char usage[] =
    "usage: shelf recommend --model MODEL --events JSON [--k K] [options]\n"
    "\n"
    "JSON is an array of events, oldest first (or @FILE to read it from a file):\n"
    "  [{\"type\":\"view\",\"item\":\"123\",\"ts\":1700000000}, ...]\n"
    "type: view, click, add_to_cart, purchase, search or dwell; item: the item's id;\n"
    "ts: seconds; optional \"weight\" (seconds for dwell). Prints the top K items\n"
    "with their scores and the reason for each.\n"
    "\n"
    CLI_REQUEST_HELP
    "  --exclude-seen        leave out every item of the session\n"
    "  --keep-bought         do not leave out items bought or in the cart\n";

int cli_recommend(int argc, char **argv) {
    const char *model_path = NULL, *events_text = NULL, *value;
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
        else if ((value = cli_option(argc, argv, &i, "--events"))) events_text = value;
        else if (cli_flag(argv[i], "--exclude-seen")) request->flags |= SHELF_EXCLUDE_SEEN;
        else if (cli_flag(argv[i], "--keep-bought")) request->flags &= ~(SHELF_EXCLUDE_PURCHASED | SHELF_EXCLUDE_IN_CART);
        else return cli_usage_error(usage, "recommend: unknown option '%s'", argv[i]);
    }
    if (!model_path || !events_text) return cli_usage_error(usage, "recommend: give --model MODEL and --events JSON");
    if (request->k == 0 || request->k > 1000) return cli_usage_error(usage, "--k must be in 1..1000");

    void *file_text = NULL;
    const char *source = "--events";
    size_t text_size = strlen(events_text);
    if (events_text[0] == '@') {
        source = events_text + 1;
        if (cli_read_file_max(source, CLI_EVENTS_MAX_BYTES, &file_text, &text_size)) return 1;
        events_text = file_text;
    } else if (text_size > CLI_EVENTS_MAX_BYTES) {
        return cli_error("--events: over %d bytes", CLI_EVENTS_MAX_BYTES);
    }
    void *bytes;
    shelf_model *model = cli_open_model(model_path, &bytes);
    shelf_session *session = NULL;
    int failed = !model || shelf_session_create(model, &session) != SHELF_OK;
    if (!failed) failed = cli_request_resolve(&options, model, model_path);
    if (!failed) failed = cli_track_events(session, model, model_path, events_text, text_size, source);
    shelf_result results[1000];
    size_t count = 0;
    if (!failed) {
        double t0 = cli_seconds();
        shelf_status status = shelf_recommend(session, request, results, request->k, &count);
        double elapsed = cli_seconds() - t0;
        if (status != SHELF_OK) {
            failed = cli_error("recommend failed: %s (%s)", shelf_status_message(status), shelf_status_name(status));
        } else {
            if (!options.json)
                printf("%zu recommendations for %u events in %.0f us (%u items ranked)\n", count, shelf_session_event_count(session), elapsed * 1e6,
                       shelf_model_item_count(model));
            cli_print_results(model, results, count, options.json);
        }
    }
    free(file_text);
    cli_request_free(&options);
    shelf_session_free(session);
    shelf_model_close(model);
    free(bytes);
    return failed ? 1 : 0;
}
