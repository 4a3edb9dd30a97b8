#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const char usage[] =
    "usage: shelf eval --model MODEL --test FILE [--k K] [--json] [--scorers LIST] [--limit N]\n"
    "                  [--no-baselines] [--no-ranker]\n"
    "\n"
    "The standard next-item protocol: FILE has one case per line, prefix<TAB>label,\n"
    "the prefix being space-separated item ids, oldest first. Each prefix is tracked\n"
    "as view events in a fresh session and recommend() ranks ALL items with no\n"
    "business filter, exactly as the WebAssembly build does. Prints the number of\n"
    "cases, HR@K, MRR@K and NDCG@K in percent, and recommend() latency p50 and p99.\n"
    "A label the model does not know counts as a miss. Beside the model, the two\n"
    "baselines every recommender must beat: the most popular items, and the\n"
    "session's own items again (session repeat), each through the same model.\n"
    "\n"
    "  --k K            cut-off (default 20)\n"
    "  --json           print one JSON object: cases, hr@K, mrr@K, ndcg@K, p50_us, p99_us,\n"
    "                   then baselines: [{scorers, hr@K, mrr@K, ndcg@K}, ...]\n"
    "  --scorers LIST   use only these scorers, separated by commas (listed below), or all\n"
    "                   (then no baselines: the scorers are what is measured)\n"
    "  --no-baselines   skip the baselines (they take a pass over the file each)\n"
    "  --no-ranker      rank by the blend alone, without the model's learned ranker\n"
    "  --report FILE    also write one self-contained HTML page with SVG charts: HR@K and\n"
    "                   MRR@K for K up to 50 for each scorer alone and the blend, HR@20\n"
    "                   against the bytes each needs, the latency histogram\n"
    "  --limit N        evaluate the first N cases only\n";

/* "all", or names from shelf_scorer_name() separated by commas. */
static uint32_t scorer_from_name(const char *name) {
    if (strcmp(name, "all") == 0) return SHELF_SCORER_ALL;
    for (uint32_t bit = 1; bit & SHELF_SCORER_ALL; bit <<= 1)
        if (strcmp(shelf_scorer_name(bit), name) == 0) return bit;
    return 0;
}

static int parse_scorers(const char *list, uint32_t *mask) {
    char buffer[256], known[128] = "";
    for (uint32_t b = 1; b & SHELF_SCORER_ALL; b <<= 1)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s, ", shelf_scorer_name(b));
    snprintf(buffer, sizeof buffer, "%s", list);
    *mask = 0;
    for (char *part = strtok(buffer, ","); part; part = strtok(NULL, ",")) {
        uint32_t bit = scorer_from_name(part);
        if (!bit) return cli_error("--scorers: unknown scorer '%s' (one of %sall)", part, known);
        *mask |= bit;
    }
    if (!*mask) return cli_error("--scorers: no scorer given (one or more of %sall)", known);
    return 0;
}

/* A line of a test file longer than this is not a session prefix: refused. */
#define LINE_MAX_BYTES (1 << 20)

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* What one pass over the test file measured (cli.h's cli_figures); with `keep`,
 * also how many labels came at each rank below `k` and every call's latency (for
 * the report), which the caller frees with cli_figures_free(). */

/* One pass of the protocol over `test` with the given scorers. 0, or 1 after
 * printing why. */
static int evaluate(shelf_model *model, const char *test, uint32_t k, uint32_t limit, uint32_t scorers,
                    uint32_t flags, int keep, cli_figures *out) {
    FILE *f = fopen(test, "r");
    if (!f) return cli_error("%s: cannot open", test);
    struct stat info;
    if (fstat(fileno(f), &info) == 0 && S_ISDIR(info.st_mode)) {
        fclose(f);
        return cli_error("%s: is a directory, not a test file", test);
    }
    shelf_session *session = NULL;
    shelf_result *results = malloc(k * sizeof *results);
    double *latency = NULL;
    size_t latency_count = 0, latency_capacity = 0;
    if (shelf_session_create(model, &session) != SHELF_OK || !results) {
        fclose(f);
        free(results);
        return cli_error("out of memory");
    }
    shelf_request request;
    shelf_request_init(&request);
    request.k = k;
    request.flags = flags;
    request.scorers = scorers;

    char *line = NULL;
    size_t line_capacity = 0;
    long length;
    uint64_t line_number = 0, cases = 0, unknown_labels = 0, unknown_prefix_items = 0;
    double hits = 0, reciprocal = 0, ndcg = 0;
    uint64_t *at_rank = keep ? calloc(k, sizeof *at_rank) : NULL;
    int failed = keep && !at_rank;
    if (failed) cli_error("out of memory");
    while (cases < limit && (length = (long)getline(&line, &line_capacity, f)) > 0) {
        line_number++;
        if (length > LINE_MAX_BYTES) {
            cli_error("%s:%llu: a line of %ld bytes (at most %d)", test, (unsigned long long)line_number, length,
                      LINE_MAX_BYTES);
            failed = 1;
            break;
        }
        while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r')) line[--length] = '\0';
        if (length == 0) continue;
        const char *label_id = cli_case_split(line, (size_t)length);
        if (!label_id) {
            cli_error("%s:%llu: expected 'prefix<TAB>label' (space-separated prefix ids, one label id)", test,
                      (unsigned long long)line_number);
            failed = 1;
            break;
        }
        shelf_session_clear(session);
        /* Every prefix event gets the same time: the protocol knows only the order. */
        for (char *id = strtok(line, " "); id; id = strtok(NULL, " ")) {
            uint32_t item;
            if (shelf_model_find_item(model, id, strlen(id), &item) == SHELF_OK)
                shelf_session_track(session, SHELF_EVENT_VIEW, item, 0.0, 1.0f);
            else
                unknown_prefix_items++;
        }
        uint32_t label;
        int known = shelf_model_find_item(model, label_id, strlen(label_id), &label) == SHELF_OK;
        size_t count;
        double t0 = cli_seconds();
        shelf_status status = shelf_recommend(session, &request, results, k, &count);
        double elapsed = cli_seconds() - t0;
        if (status != SHELF_OK) {
            cli_error("%s:%llu: recommend failed: %s", test, (unsigned long long)line_number, shelf_status_name(status));
            failed = 1;
            break;
        }
        if (latency_count == latency_capacity) {
            latency_capacity = latency_capacity ? latency_capacity * 2 : 4096;
            double *grown = realloc(latency, latency_capacity * sizeof *latency);
            if (!grown) {
                cli_error("out of memory");
                failed = 1;
                break;
            }
            latency = grown;
        }
        latency[latency_count++] = elapsed * 1e6;
        cases++;
        if (!known) {
            unknown_labels++;
            continue;
        }
        for (size_t r = 0; r < count; r++)
            if (results[r].item == label) {
                if (at_rank) at_rank[r]++;
                hits += 1;
                reciprocal += 1.0 / (double)(r + 1);
                ndcg += 1.0 / log2((double)r + 2.0);
                break;
            }
    }
    fclose(f);
    free(line);
    shelf_session_free(session);
    free(results);
    if (failed || cases == 0) {
        free(latency);
        free(at_rank);
        return failed ? 1 : cli_error("%s: no test cases", test);
    }
    qsort(latency, latency_count, sizeof *latency, by_value);
    *out = (cli_figures){scorers, k, cases, unknown_labels, unknown_prefix_items, 100 * hits / cases,
                         100 * reciprocal / cases, 100 * ndcg / cases, latency[(latency_count - 1) / 2],
                         latency[(size_t)((latency_count - 1) * 0.99)], at_rank, NULL, 0};
    if (keep) {
        out->latency_us = latency;
        out->latency_count = latency_count;
    } else {
        free(latency);
    }
    return 0;
}

int cli_eval(int argc, char **argv) {
    const char *model_path = NULL, *test = NULL, *value;
    uint32_t k = 20, limit = UINT32_MAX, scorers = SHELF_SCORER_ALL;
    int json = 0, baselines = 1;
    uint32_t flags = 0;
    const char *report = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv[i], "--help") || cli_flag(argv[i], "-h")) {
            fputs(usage, stdout);
            fputs("\nScorers:", stdout);
            for (uint32_t bit = 1; bit & SHELF_SCORER_ALL; bit <<= 1) printf(" %s", shelf_scorer_name(bit));
            fputs("\n", stdout);
            return 0;
        } else if ((value = cli_option(argc, argv, &i, "--model"))) model_path = value;
        else if ((value = cli_option(argc, argv, &i, "--test"))) test = value;
        else if ((value = cli_option(argc, argv, &i, "--k"))) {
            if (cli_parse_u32(value, "--k", &k)) return 2;
            if (k == 0 || k > 10000) return cli_usage_error(usage, "--k must be in 1..10000");
        } else if ((value = cli_option(argc, argv, &i, "--limit"))) {
            if (cli_parse_u32(value, "--limit", &limit)) return 2;
        } else if ((value = cli_option(argc, argv, &i, "--scorers"))) {
            if (parse_scorers(value, &scorers)) return 2;
            baselines = 0;
        } else if ((value = cli_option(argc, argv, &i, "--report"))) {
            report = value;
        } else if (cli_flag(argv[i], "--json")) json = 1;
        else if (cli_flag(argv[i], "--no-baselines")) baselines = 0;
        else if (cli_flag(argv[i], "--no-ranker")) flags |= SHELF_BLEND_ONLY;
        else return cli_usage_error(usage, "eval: unknown option '%s'", argv[i]);
    }
    if (!model_path || !test) return cli_usage_error(usage, "eval: give --model MODEL and --test FILE");

    void *bytes;
    shelf_model *model = cli_open_model(model_path, &bytes);
    if (!model) return 1;
    /* The baselines every model must beat, through the same model and protocol. */
    static const struct {
        const char *label;
        uint32_t scorers;
    } baseline[] = {{"popularity", SHELF_SCORER_POPULARITY}, {"session repeat", SHELF_SCORER_REPEAT}};
    enum { BASELINES = sizeof baseline / sizeof baseline[0] };
    cli_figures main_figures = {0}, base[BASELINES] = {{0}};
    int failed = evaluate(model, test, k, limit, scorers, flags, 0, &main_figures);
    for (int b = 0; !failed && baselines && b < BASELINES; b++)
        failed = evaluate(model, test, k, limit, baseline[b].scorers, 0, 0, &base[b]);
    /* The report: each scorer the model holds alone and the blend, to REPORT_K. */
    if (!failed && report) {
        const char *sections[CLI_REPORT_SERIES];
        cli_figures series[CLI_REPORT_SERIES] = {{0}};
        uint32_t count = 0;
        for (uint32_t bit = 1; !failed && (bit & SHELF_SCORER_ALL); bit <<= 1) {
            if (!cli_model_has_scorer(model, bit)) continue;
            sections[count] = shelf_scorer_name(bit);
            failed = evaluate(model, test, CLI_REPORT_K, limit, bit, 0, 1, &series[count++]);
        }
        if (!failed) {
            sections[count] = "blend";
            failed = evaluate(model, test, CLI_REPORT_K, limit, SHELF_SCORER_ALL, flags, 1, &series[count++]);
        }
        if (!failed) failed = cli_write_report(report, model_path, test, model, sections, series, count);
        for (uint32_t i = 0; i < count; i++) cli_figures_free(&series[i]);
        if (!failed) fprintf(stderr, "shelf: wrote the report %s\n", report);
    }
    const uint32_t items = shelf_model_item_count(model);
    shelf_model_close(model);
    free(bytes);
    if (failed) return 1;

    const cli_figures *m = &main_figures;
    if (json) {
        printf("{\"cases\": %llu, \"hr@%u\": %.2f, \"mrr@%u\": %.2f, \"ndcg@%u\": %.2f, \"p50_us\": %.1f, \"p99_us\": %.1f",
               (unsigned long long)m->cases, k, m->hr, k, m->mrr, k, m->ndcg, m->p50, m->p99);
        if (baselines) {
            printf(", \"baselines\": [");
            for (int b = 0; b < BASELINES; b++)
                printf("%s{\"scorers\": \"%s\", \"hr@%u\": %.2f, \"mrr@%u\": %.2f, \"ndcg@%u\": %.2f}", b ? ", " : "",
                       shelf_scorer_name(baseline[b].scorers), k, base[b].hr, k, base[b].mrr, k, base[b].ndcg);
            printf("]");
        }
        printf("}\n");
    } else {
        printf("cases      %llu\n", (unsigned long long)m->cases);
        printf("HR@%-7u %.2f %%\nMRR@%-6u %.2f %%\nNDCG@%-5u %.2f %%\n", k, m->hr, k, m->mrr, k, m->ndcg);
        printf("latency    p50 %.1f us, p99 %.1f us (recommend() over %u items)\n", m->p50, m->p99, items);
        if (baselines) {
            char hr[16], mrr[16], nd[16];
            snprintf(hr, sizeof hr, "HR@%u", k);
            snprintf(mrr, sizeof mrr, "MRR@%u", k);
            snprintf(nd, sizeof nd, "NDCG@%u", k);
            printf("\nagainst the baselines, on the same cases:\n");
            printf("  %-16s %9s %9s %9s\n", "", hr, mrr, nd);
            printf("  %-16s %9.2f %9.2f %9.2f\n", "this model", m->hr, m->mrr, m->ndcg);
            for (int b = 0; b < BASELINES; b++)
                printf("  %-16s %9.2f %9.2f %9.2f\n", baseline[b].label, base[b].hr, base[b].mrr, base[b].ndcg);
        }
    }
    if (m->unknown_labels || m->unknown_prefix_items)
        fprintf(stderr, "shelf: %llu labels and %llu prefix items were unknown to the model\n",
                (unsigned long long)m->unknown_labels, (unsigned long long)m->unknown_prefix_items);
    return 0;
}
