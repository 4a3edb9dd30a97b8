#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const char usage[] =
    "usage: shelf quantize --model FLOAT_MODEL --out MODEL\n"
    "       shelf quantize --npy EMBEDDINGS.npy --ids IDS.txt --out MODEL [--name NAME] [--float]\n"
    "\n"
    "The first form rewrites a float32 model (from 'shelf train --float') with int8\n"
    "parameters and a float32 scale per row. The second builds an embeddings-only\n"
    "model from vectors trained elsewhere (PyTorch, Spark, ...): a float32 .npy of\n"
    "shape [n, d] and a text file of the n item ids, one per line.\n";

int cli_quantize(int argc, char **argv) {
    const char *model_path = NULL, *npy = NULL, *ids = NULL, *out = NULL, *name = NULL, *value;
    int quantize = 1;
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv[i], "--help") || cli_flag(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if ((value = cli_option(argc, argv, &i, "--model"))) model_path = value;
        else if ((value = cli_option(argc, argv, &i, "--npy"))) npy = value;
        else if ((value = cli_option(argc, argv, &i, "--ids"))) ids = value;
        else if ((value = cli_option(argc, argv, &i, "--out"))) out = value;
        else if ((value = cli_option(argc, argv, &i, "--name"))) name = value;
        else if (cli_flag(argv[i], "--float")) quantize = 0;
        else return cli_usage_error(usage, "quantize: unknown option '%s'", argv[i]);
    }
    if (!out) return cli_usage_error(usage, "quantize: give --out MODEL");
    if (!model_path == !npy) return cli_usage_error(usage, "quantize: give either --model or --npy with --ids");
    shelf_diagnostic diag;
    void *result;
    size_t size;
    if (model_path) {
        void *bytes;
        size_t length;
        if (cli_read_file(model_path, &bytes, &length)) return 1;
        shelf_status status = shelf_quantize_model(bytes, length, &result, &size, &diag);
        free(bytes);
        if (status != SHELF_OK) {
            snprintf(diag.file, sizeof diag.file, "%s", model_path);
            return cli_diagnostic(&diag);
        }
    } else {
        if (!ids) return cli_usage_error(usage, "quantize: --npy needs --ids");
        if (shelf_model_from_embeddings(npy, ids, name ? name : out, quantize, &result, &size, &diag) != SHELF_OK)
            return cli_diagnostic(&diag);
    }
    int failed = cli_write_file(out, result, size);
    shelf_buffer_free(result);
    if (!failed) fprintf(stderr, "shelf: wrote %s (%zu bytes)\n", out, size);
    return failed;
}
