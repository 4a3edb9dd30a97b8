/* The input options train and split share: sessions files, raw event logs in a
 * named format (with the generic format's columns), a catalog; and reading them
 * into one dataset, with each file's skipped lines reported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_input_init(cli_input *in) {
    memset(in, 0, sizeof *in);
    in->time_scale = 1;
    in->session_gap = 1800;
}

static int parse_columns(const char *spec, shelf_log_options *o) {
    char buffer[256];
    if (snprintf(buffer, sizeof buffer, "%s", spec) >= (int)sizeof buffer) return cli_error("--columns: too long");
    /* Only the columns given count: the options' defaults would name columns silently. */
    o->session_column = o->user_column = o->item_column = o->type_column = -1;
    o->time_column = o->category_column = o->price_column = -1;
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

int cli_input_option(cli_input *in, int argc, char **argv, int *i, const char *usage) {
    const char *value;
    if ((value = cli_option(argc, argv, i, "--sessions")) || (value = cli_option(argc, argv, i, "--events"))) {
        if (in->count == CLI_INPUTS_MAX) {
            cli_usage_error(usage, "too many input files");
            return -1;
        }
        /* cli_option() has moved *i to the value when it was a separate argument. */
        const char *option = value == argv[*i] && strncmp(argv[*i], "--", 2) != 0 ? argv[*i - 1] : argv[*i];
        in->is_log[in->count] = strncmp(option, "--events", 8) == 0;
        in->files[in->count++] = value;
    } else if ((value = cli_option(argc, argv, i, "--format"))) in->format = value;
    else if ((value = cli_option(argc, argv, i, "--columns"))) in->columns = value;
    else if ((value = cli_option(argc, argv, i, "--delimiter"))) {
        if (strlen(value) != 1 && strcmp(value, "tab") != 0) {
            cli_usage_error(usage, "--delimiter: one character, or 'tab', not '%s'", value);
            return -1;
        }
        in->delimiter = value;
    }
    else if ((value = cli_option(argc, argv, i, "--catalog"))) in->catalog = value;
    else if ((value = cli_option(argc, argv, i, "--time-scale"))) in->time_scale = atof(value);
    else if ((value = cli_option(argc, argv, i, "--session-gap"))) in->session_gap = atof(value);
    else if (cli_flag(argv[*i], "--header")) in->header = 1;
    else if (cli_flag(argv[*i], "--iso-time")) in->iso_time = 1;
    else if (cli_flag(argv[*i], "--skip-bad-lines")) in->skip_bad = 1;
    else return 0;
    return 1;
}

int cli_input_read(const cli_input *in, const char *command, const char *usage, shelf_dataset **out) {
    *out = NULL;
    shelf_log_format log_format = SHELF_LOG_SESSIONS;
    if (in->format && shelf_log_format_from_name(in->format, &log_format) != SHELF_OK)
        return cli_usage_error(usage, "%s: unknown --format '%s'", command, in->format);
    for (int k = 0; k < in->count; k++)
        if (in->is_log[k] && !in->format) return cli_usage_error(usage, "%s: --events needs --format", command);

    shelf_dataset *data;
    if (shelf_dataset_create(&data) != SHELF_OK) return cli_error("out of memory");
    shelf_diagnostic diag;
    double started = cli_seconds();
    for (int k = 0; k < in->count; k++) {
        shelf_log_options log;
        shelf_log_options_init(&log, in->is_log[k] ? log_format : SHELF_LOG_SESSIONS);
        if (in->is_log[k] && log_format == SHELF_LOG_GENERIC) {
            if (!in->columns) {
                shelf_dataset_free(data);
                return cli_usage_error(usage, "%s: --format generic needs --columns", command);
            }
            if (parse_columns(in->columns, &log)) {
                shelf_dataset_free(data);
                return 2;
            }
            if (in->delimiter) log.delimiter = strcmp(in->delimiter, "tab") == 0 ? '\t' : in->delimiter[0];
            log.has_header = in->header;
            log.time_scale = in->time_scale;
            log.time_is_iso8601 = in->iso_time;
        }
        log.session_gap = in->session_gap;
        log.skip_bad_lines = in->skip_bad;
        log.progress = cli_progress;
        uint64_t bad = 0;
        if (shelf_dataset_read_log(data, in->files[k], &log, &bad, &diag) != SHELF_OK) {
            shelf_dataset_free(data);
            return cli_diagnostic(&diag);
        }
        cli_progress_done();
        if (bad) {
            fprintf(stderr, "shelf: %s: skipped %llu malformed line%s; the first: ", in->files[k], (unsigned long long)bad,
                    bad == 1 ? "" : "s");
            fprintf(stderr, "line %llu: %s\n", (unsigned long long)diag.line, diag.message);
        }
    }
    if (in->catalog && shelf_dataset_read_catalog(data, in->catalog, &diag) != SHELF_OK) {
        shelf_dataset_free(data);
        return cli_diagnostic(&diag);
    }
    if (shelf_dataset_session_count(data) == 0) {
        shelf_dataset_free(data);
        return cli_error("%s%s: no sessions in %s (every line skipped, or none)", in->files[0],
                         in->count > 1 ? " and the other inputs" : "", in->count > 1 ? "them" : "it");
    }
    fprintf(stderr, "shelf: read %llu sessions, %llu events, %u items in %.1f s\n",
            (unsigned long long)shelf_dataset_session_count(data), (unsigned long long)shelf_dataset_event_count(data),
            shelf_dataset_item_count(data), cli_seconds() - started);
    *out = data;
    return 0;
}
