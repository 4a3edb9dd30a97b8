#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char usage[] =
    "usage: shelf split (--events FILE --format NAME) --train OUT --test OUT [options]\n"
    "\n"
    "Makes a first evaluation of a raw log, by the protocol of the session-based\n"
    "papers (SR-GNN, GCE-GNN on Diginetica): items seen fewer than --min-item-count\n"
    "times and sessions left shorter than 2 are dropped; the sessions that end in the\n"
    "last --test-days days are the test, the others the training; test events of\n"
    "items the training lacks are removed. Writes the training sessions (for 'shelf\n"
    "train --sessions') and every prefix of each test session with the item after\n"
    "it (for 'shelf eval --test'), and prints what it did.\n"
    "\n"
    "Input (repeat --events to read several files):\n"
    CLI_INPUT_HELP
    "\n"
    "Split:\n"
    "  --train OUT          the training sessions, one per line\n"
    "  --test OUT           the test cases, prefix<TAB>next item\n"
    "  --test-days D        the test is the sessions that end in the last D days (default 7)\n"
    "  --min-item-count N   drop items seen fewer than N times (default 5)\n";

static void print_day(const char *what, double seconds) {
    time_t t = (time_t)seconds;
    struct tm day;
    char text[32] = "?";
    if (gmtime_r(&t, &day)) strftime(text, sizeof text, "%Y-%m-%d %H:%M", &day);
    fprintf(stderr, "%s%s UTC", what, text);
}

int cli_split(int argc, char **argv) {
    cli_input input;
    cli_input_init(&input);
    shelf_split_options options;
    shelf_split_options_init(&options);
    const char *train = NULL, *test = NULL, *value;
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv[i], "--help") || cli_flag(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        }
        int taken = cli_input_option(&input, argc, argv, &i, usage);
        if (taken < 0) return 2;
        if (taken) continue;
        if ((value = cli_option(argc, argv, &i, "--train"))) train = value;
        else if ((value = cli_option(argc, argv, &i, "--test"))) test = value;
        else if ((value = cli_option(argc, argv, &i, "--test-days"))) {
            char *end;
            options.test_days = strtod(value, &end);
            if (*end || end == value || !(options.test_days > 0))
                return cli_usage_error(usage, "--test-days must be a number of days > 0, not '%s'", value);
        } else if ((value = cli_option(argc, argv, &i, "--min-item-count"))) {
            if (cli_parse_u32(value, "--min-item-count", &options.min_item_count)) return 2;
        } else return cli_usage_error(usage, "split: unknown option '%s'", argv[i]);
    }
    if (!input.count) return cli_usage_error(usage, "split: give --events FILE --format NAME");
    if (!train || !test) return cli_usage_error(usage, "split: give --train OUT and --test OUT");
    shelf_dataset *data;
    int read = cli_input_read(&input, "split", usage, &data);
    if (read) return read;
    shelf_split_report r;
    shelf_diagnostic diag;
    shelf_status status = shelf_dataset_split(data, &options, train, test, &r, &diag);
    shelf_dataset_free(data);
    if (status != SHELF_OK) return cli_diagnostic(&diag);
    print_day("shelf: the events run from ", r.first_time);
    print_day(" to ", r.last_time);
    print_day("; the test is the sessions ending from ", r.cut_time);
    fprintf(stderr, " (the last %g days)\n", options.test_days);
    fprintf(stderr, "shelf: %s: %llu training sessions, %llu events, %u items (seen %u times or more)\n", train,
            (unsigned long long)r.train_sessions, (unsigned long long)r.train_events, r.train_items,
            options.min_item_count);
    fprintf(stderr, "shelf: %s: %llu cases from %llu test sessions (%llu test events of items the training "
                    "lacks removed)\n",
            test, (unsigned long long)r.test_cases, (unsigned long long)r.test_sessions,
            (unsigned long long)r.dropped_test_events);
    fprintf(stderr, "shelf: %llu sessions dropped, shorter than 2 events after the filters\n",
            (unsigned long long)r.dropped_sessions);
    if (r.train_sessions == 0 || r.test_cases == 0)
        return cli_error("the split is empty: %s", r.train_sessions ? "no test case (try more --test-days)"
                                                                     : "no training session (try fewer --test-days)");
    return 0;
}
