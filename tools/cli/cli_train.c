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
    CLI_INPUT_HELP
    "\n"
    "Model:\n"
    "  --out MODEL          where to write the .shelf model\n"
    "  --name NAME          stored in the metadata (default: the output's file name)\n"
    "  --seed N             every random choice derives from it (default 1)\n"
    "  --neighbours M       neighbours kept per item and table, at most 255 (default 25)\n"
    "  --min-weight F       drop neighbours weighing under F times their row's strongest\n"
    "                       (default 0.05; 0 keeps all)\n"
    "  --dims D             embedding width, a multiple of 16; 0 for none (default 16)\n"
    "  --epochs E           embedding training epochs (default 20)\n"
    "  --ranker-hidden H    units of the learned ranker that re-orders the blend's best\n"
    "                       candidates, at most 32; 0 for none (default 16)\n"
    "  --ranker-candidates C  how many of the blend's best it re-orders (default 100)\n"
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
        const cJSON *ranker = cJSON_GetObjectItemCaseSensitive(validation, "ranker");
        const cJSON *holdout = cJSON_GetObjectItemCaseSensitive(ranker, "holdout_cases");
        const cJSON *alone = cJSON_GetObjectItemCaseSensitive(ranker, "blend");
        const cJSON *ranked = cJSON_GetObjectItemCaseSensitive(ranker, "ranker");
        if (cJSON_IsNumber(holdout) && cJSON_GetArraySize(alone) == 2 && cJSON_GetArraySize(ranked) == 2)
            fprintf(stderr, "shelf: the learned ranker, on the newest %.0f of those cases (held out from it): HR@20 %.2f, "
                            "MRR@20 %.2f; the blend alone %.2f, %.2f there%s\n",
                    holdout->valuedouble, cJSON_GetArrayItem(ranked, 0)->valuedouble,
                    cJSON_GetArrayItem(ranked, 1)->valuedouble, cJSON_GetArrayItem(alone, 0)->valuedouble,
                    cJSON_GetArrayItem(alone, 1)->valuedouble,
                    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ranker, "kept")) ? "" : ": not kept, the model ranks by the blend");
        const cJSON *events = cJSON_GetObjectItemCaseSensitive(validation, "event_weights");
        const cJSON *views = cJSON_GetObjectItemCaseSensitive(events, "all_as_views");
        const cJSON *learned = cJSON_GetObjectItemCaseSensitive(events, "learned");
        if (cJSON_GetArraySize(views) == 2 && cJSON_GetArraySize(learned) == 2)
            fprintf(stderr, "shelf: event weights learned on the older cases; on the newest quarter: HR@20 %.2f, MRR@20 %.2f "
                            "(every event as a view: %.2f, %.2f)%s\n",
                    cJSON_GetArrayItem(learned, 0)->valuedouble, cJSON_GetArrayItem(learned, 1)->valuedouble,
                    cJSON_GetArrayItem(views, 0)->valuedouble, cJSON_GetArrayItem(views, 1)->valuedouble,
                    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(events, "kept"))
                        ? "" : ": not kept, every event counts as a view");
        if (cases->valuedouble < FEW_VALIDATION_CASES)
            fprintf(stderr, "shelf: warning: only %.0f validation cases (under %d): the blend's weights and what was "
                            "left out are little better than guesses; train on more sessions\n",
                    cases->valuedouble, FEW_VALIDATION_CASES);
    }
    cJSON_Delete(meta);
    shelf_model_close(model);
}

int cli_train(int argc, char **argv) {
    cli_input input;
    cli_input_init(&input);
    const char *out = NULL, *name = NULL, *value;
    shelf_train_options options;
    shelf_train_options_init(&options);

    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv[i], "--help") || cli_flag(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        }
        int taken = cli_input_option(&input, argc, argv, &i, usage);
        if (taken < 0) return 2;
        if (taken) continue;
        if ((value = cli_option(argc, argv, &i, "--out"))) out = value;
        else if ((value = cli_option(argc, argv, &i, "--name"))) name = value;
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
        } else if ((value = cli_option(argc, argv, &i, "--ranker-hidden"))) {
            if (cli_parse_u32(value, "--ranker-hidden", &options.ranker_hidden)) return 2;
        } else if ((value = cli_option(argc, argv, &i, "--ranker-candidates"))) {
            if (cli_parse_u32(value, "--ranker-candidates", &options.ranker_candidates)) return 2;
        } else if ((value = cli_option(argc, argv, &i, "--epochs"))) {
            if (cli_parse_u32(value, "--epochs", &options.epochs)) return 2;
        } else if (cli_flag(argv[i], "--float")) options.quantize = 0;
        else if (cli_flag(argv[i], "--keep-unused")) options.keep_unused = 1;
        else return cli_usage_error(usage, "train: unknown option '%s'", argv[i]);
    }
    if (!input.count) return cli_usage_error(usage, "train: give --sessions FILE or --events FILE");
    if (!out) return cli_usage_error(usage, "train: give --out MODEL");
    shelf_dataset *data;
    int read = cli_input_read(&input, "train", usage, &data);
    if (read) return read;

    if (!name) {
        const char *slash = strrchr(out, '/');
        name = slash ? slash + 1 : out;
    }
    options.name = name;
    /* options.created stays 0: the library then takes SOURCE_DATE_EPOCH when it is set. */
    options.progress = cli_progress;
    void *model;
    size_t size;
    double started = cli_seconds();
    shelf_diagnostic diag;
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
