#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "cli.h"

static const char usage[] =
    "usage: shelf train (--sessions FILE | --events FILE --format NAME) --out MODEL [options]\n"
    "\n"
    "Learns every scorer from the sessions, chooses the blend weights on the newest\n"
    "sessions held out, learns again from all of them and writes an int8 model.\n"
    "\n"
    "Input (repeat --sessions/--events to read several files):\n"
    "  --sessions FILE      one session per line, item ids separated by spaces, oldest first\n"
    "  --events FILE        a raw event log, read as --format says\n"
    "  --format NAME        diginetica | taobao | rees46 | sessionrec | generic | ga4 | segment\n"
    "  --columns SPEC       generic logs: session=N,user=N,item=N,type=N,time=N,category=N,price=N\n"
    "                       (0-based columns; item is required)\n"
    "  --delimiter C        generic logs: field separator (default ','; 'tab' for a tab)\n"
    "  --header             generic logs: skip the first line\n"
    "  --time-scale X       generic logs: multiply times by X to get seconds (0.001 for ms)\n"
    "  --iso-time           generic logs: times are text like 2019-10-01 00:00:00 UTC\n"
    "  --session-gap S      seconds of inactivity that split a user's events (default 1800)\n"
    "  --skip-bad-lines     report malformed lines and go on (default: stop at the first)\n"
    "  --catalog FILE       JSON Lines of item attributes: id, category, price, in_stock\n"
    "\n"
    "Model:\n"
    "  --out MODEL          where to write the .shelf model\n"
    "  --name NAME          stored in the metadata (default: the output's file name)\n"
    "  --seed N             every random choice derives from it (default 1)\n"
    "  --neighbours M       neighbours kept per item and table, at most 255 (default 25)\n"
    "  --min-weight F       drop neighbours weighing under F times their row's strongest\n"
    "                       (default 0.05; 0 keeps all)\n"
    "  --dims D             embedding width, a multiple of 16; 0 for none (default 16)\n"
    "  --epochs E           embedding epochs (default 20)\n"
    "  --validation F       fraction of newest sessions held out for the blend (default 0.1)\n"
    "  --drop-tolerance P   leave out a neighbour table or the embeddings when they add less\n"
    "                       than P points to HR@20 + 2 MRR@20 on those sessions per byte\n"
    "                       it takes per item (default 0.03; 0 keeps whatever helps at all)\n"
    "  --float              keep float32 parameters (see 'shelf quantize')\n"
    "  --keep-unused        keep scorers the blend gives no weight (to evaluate them alone\n"
    "                       with 'shelf eval --scorers'); by default they are left out\n"
    "\n"
    "SOURCE_DATE_EPOCH, when set, is stored as the creation time, so that two runs\n"
    "with the same inputs and seed write byte-identical models.\n";

static int parse_columns(const char *spec, shelf_log_options *o) {
    char buffer[256];
    snprintf(buffer, sizeof buffer, "%s", spec);
    for (char *part = strtok(buffer, ","); part; part = strtok(NULL, ",")) {
        char *eq = strchr(part, '=');
        uint32_t column;
        if (!eq || cli_parse_u32(eq + 1, "--columns", &column)) return cli_error("--columns: expected name=N, got '%s'", part);
        *eq = '\0';
        int *field = !strcmp(part, "session") ? &o->session_column : !strcmp(part, "user") ? &o->user_column
                   : !strcmp(part, "item") ? &o->item_column : !strcmp(part, "type") ? &o->type_column
                   : !strcmp(part, "time") ? &o->time_column : !strcmp(part, "category") ? &o->category_column
                   : !strcmp(part, "price") ? &o->price_column : NULL;
        if (!field) return cli_error("--columns: unknown column name '%s'", part);
        *field = (int)column;
    }
    if (o->item_column < 0) return cli_error("--columns: item=N is required");
    return 0;
}

/* Fewer validation cases than this choose a blend by noise: the trainer is told so. */
#define FEW_VALIDATION_CASES 1000

/* What the blend was chosen on, from the written model's own metadata, so a user
 * sees at once whether the figure stored in the model means anything. */
static void report_validation(const void *bytes, size_t size) {
    shelf_model *model = NULL;
    if (shelf_model_open(bytes, size, &model) != SHELF_OK) return;
    size_t length = 0;
    const char *text = shelf_model_metadata(model, &length);
    cJSON *meta = cJSON_ParseWithLength(text, length);
    const cJSON *trainer = cJSON_GetObjectItemCaseSensitive(meta, "trainer");
    const cJSON *validation = cJSON_GetObjectItemCaseSensitive(trainer, "validation");
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(validation, "cases");
    const cJSON *sessions = cJSON_GetObjectItemCaseSensitive(trainer, "validation_sessions");
    if (!cJSON_IsNumber(cases)) {
        fprintf(stderr, "shelf: warning: no validation sessions (--validation 0, or too few sessions): the blend is "
                        "the trainer's starting one, not chosen for this data\n");
    } else {
        const cJSON *hr = cJSON_GetObjectItemCaseSensitive(validation, "hr@20");
        const cJSON *mrr = cJSON_GetObjectItemCaseSensitive(validation, "mrr@20");
        fprintf(stderr, "shelf: blend chosen on %.0f cases of the newest %.0f sessions (held out from the tables): "
                        "HR@20 %.2f, MRR@20 %.2f there; a test of your own is 'shelf eval'\n",
                cases->valuedouble, cJSON_IsNumber(sessions) ? sessions->valuedouble : 0.0,
                cJSON_IsNumber(hr) ? hr->valuedouble : 0.0, cJSON_IsNumber(mrr) ? mrr->valuedouble : 0.0);
        if (cases->valuedouble < FEW_VALIDATION_CASES)
            fprintf(stderr, "shelf: warning: only %.0f validation cases (under %d): the blend's weights and what was "
                            "left out are little better than guesses; train on more sessions\n",
                    cases->valuedouble, FEW_VALIDATION_CASES);
    }
    cJSON_Delete(meta);
    shelf_model_close(model);
}

int cli_train(int argc, char **argv) {
    const char *inputs[64];
    int input_is_log[64], inputs_count = 0;
    const char *format = NULL, *columns = NULL, *delimiter = NULL, *catalog = NULL, *out = NULL, *name = NULL;
    const char *value;
    int header = 0, iso_time = 0, skip_bad = 0;
    double time_scale = 1, session_gap = 1800;
    shelf_train_options options;
    shelf_train_options_init(&options);

    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv[i], "--help") || cli_flag(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if ((value = cli_option(argc, argv, &i, "--sessions")) || (value = cli_option(argc, argv, &i, "--events"))) {
            if (inputs_count == 64) return cli_usage_error(usage, "too many input files");
            /* cli_option() has moved i to the value when it was a separate argument. */
            const char *option = value == argv[i] && strncmp(argv[i], "--", 2) != 0 ? argv[i - 1] : argv[i];
            input_is_log[inputs_count] = strncmp(option, "--events", 8) == 0;
            inputs[inputs_count++] = value;
        } else if ((value = cli_option(argc, argv, &i, "--format"))) format = value;
        else if ((value = cli_option(argc, argv, &i, "--columns"))) columns = value;
        else if ((value = cli_option(argc, argv, &i, "--delimiter"))) delimiter = value;
        else if ((value = cli_option(argc, argv, &i, "--catalog"))) catalog = value;
        else if ((value = cli_option(argc, argv, &i, "--out"))) out = value;
        else if ((value = cli_option(argc, argv, &i, "--name"))) name = value;
        else if ((value = cli_option(argc, argv, &i, "--time-scale"))) time_scale = atof(value);
        else if ((value = cli_option(argc, argv, &i, "--session-gap"))) session_gap = atof(value);
        else if ((value = cli_option(argc, argv, &i, "--validation"))) options.validation_fraction = (float)atof(value);
        else if ((value = cli_option(argc, argv, &i, "--min-weight"))) options.min_weight = (float)atof(value);
        else if ((value = cli_option(argc, argv, &i, "--drop-tolerance"))) options.drop_tolerance = (float)atof(value);
        else if ((value = cli_option(argc, argv, &i, "--seed"))) {
            char *end;
            options.seed = strtoull(value, &end, 10);
            if (*end || end == value) return cli_usage_error(usage, "--seed: not a number: '%s'", value);
        } else if ((value = cli_option(argc, argv, &i, "--neighbours"))) {
            if (cli_parse_u32(value, "--neighbours", &options.neighbours)) return 2;
        } else if ((value = cli_option(argc, argv, &i, "--dims"))) {
            if (cli_parse_u32(value, "--dims", &options.dims)) return 2;
        } else if ((value = cli_option(argc, argv, &i, "--epochs"))) {
            if (cli_parse_u32(value, "--epochs", &options.epochs)) return 2;
        } else if (cli_flag(argv[i], "--header")) header = 1;
        else if (cli_flag(argv[i], "--iso-time")) iso_time = 1;
        else if (cli_flag(argv[i], "--skip-bad-lines")) skip_bad = 1;
        else if (cli_flag(argv[i], "--float")) options.quantize = 0;
        else if (cli_flag(argv[i], "--keep-unused")) options.keep_unused = 1;
        else return cli_usage_error(usage, "train: unknown option '%s'", argv[i]);
    }
    if (!inputs_count) return cli_usage_error(usage, "train: give --sessions FILE or --events FILE");
    if (!out) return cli_usage_error(usage, "train: give --out MODEL");

    shelf_log_format log_format = SHELF_LOG_SESSIONS;
    if (format && shelf_log_format_from_name(format, &log_format) != SHELF_OK)
        return cli_usage_error(usage, "train: unknown --format '%s'", format);
    for (int k = 0; k < inputs_count; k++)
        if (input_is_log[k] && !format) return cli_usage_error(usage, "train: --events needs --format");

    shelf_dataset *data;
    if (shelf_dataset_create(&data) != SHELF_OK) return cli_error("out of memory");
    shelf_diagnostic diag;
    double started = cli_seconds();
    for (int k = 0; k < inputs_count; k++) {
        shelf_log_options log;
        shelf_log_options_init(&log, input_is_log[k] ? log_format : SHELF_LOG_SESSIONS);
        if (input_is_log[k] && log_format == SHELF_LOG_GENERIC) {
            if (!columns) {
                shelf_dataset_free(data);
                return cli_usage_error(usage, "train: --format generic needs --columns");
            }
            if (parse_columns(columns, &log)) {
                shelf_dataset_free(data);
                return 2;
            }
            if (delimiter) log.delimiter = strcmp(delimiter, "tab") == 0 ? '\t' : delimiter[0];
            log.has_header = header;
            log.time_scale = time_scale;
            log.time_is_iso8601 = iso_time;
        }
        log.session_gap = session_gap;
        log.skip_bad_lines = skip_bad;
        log.progress = cli_progress;
        uint64_t bad = 0;
        if (shelf_dataset_read_log(data, inputs[k], &log, &bad, &diag) != SHELF_OK) {
            shelf_dataset_free(data);
            return cli_diagnostic(&diag);
        }
        cli_progress_done();
        if (bad) {
            fprintf(stderr, "shelf: %s: skipped %llu malformed line%s; the first: ", inputs[k], (unsigned long long)bad, bad == 1 ? "" : "s");
            fprintf(stderr, "line %llu: %s\n", (unsigned long long)diag.line, diag.message);
        }
    }
    if (catalog && shelf_dataset_read_catalog(data, catalog, &diag) != SHELF_OK) {
        shelf_dataset_free(data);
        return cli_diagnostic(&diag);
    }
    fprintf(stderr, "shelf: read %llu sessions, %llu events, %u items in %.1f s\n",
            (unsigned long long)shelf_dataset_session_count(data), (unsigned long long)shelf_dataset_event_count(data),
            shelf_dataset_item_count(data), cli_seconds() - started);

    if (!name) {
        const char *slash = strrchr(out, '/');
        name = slash ? slash + 1 : out;
    }
    options.name = name;
    /* options.created stays 0: the library then takes SOURCE_DATE_EPOCH when it is set. */
    options.progress = cli_progress;
    void *model;
    size_t size;
    started = cli_seconds();
    shelf_status status = shelf_train(data, &options, &model, &size, &diag);
    shelf_dataset_free(data);
    if (status != SHELF_OK) return cli_diagnostic(&diag);
    cli_progress_done();
    int failed = cli_write_file(out, model, size);
    if (failed) {
        shelf_buffer_free(model);
        return 1;
    }
    fprintf(stderr, "shelf: wrote %s (%zu bytes) in %.1f s\n", out, size, cli_seconds() - started);
    report_validation(model, size);
    shelf_buffer_free(model);
    return 0;
}
