#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: shelf <command> [options]\n"
    "\n"
    "Commands:\n"
    "  split      make training sessions and test cases from a raw log (a first evaluation)\n"
    "  train      learn a model from sessions or raw event logs\n"
    "  quantize   float32 model or .npy embeddings -> int8 .shelf model\n"
    "  eval       next-item HR/MRR/NDCG@K and recommend() latency on a test file\n"
    "  inspect    sections, sizes, items, dims and metadata of a model\n"
    "  recommend  top-k for a session given as JSON events\n"
    "  related    top-k related to one item (a product page), no session\n"
    "  version    print the library version\n"
    "\n"
    "Run 'shelf <command> --help' for a command's options.\n";

int main(int argc, char **argv) {
    if (argc < 2 || cli_flag(argv[1], "--help") || cli_flag(argv[1], "-h") || cli_flag(argv[1], "help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *command = argv[1];
    if (cli_flag(command, "version") || cli_flag(command, "--version")) {
        printf("shelf %s (model format %u)\n", shelf_version_string(), SHELF_FORMAT_VERSION);
        return 0;
    }
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {
        {"split", cli_split}, {"train", cli_train}, {"quantize", cli_quantize}, {"eval", cli_eval},
        {"inspect", cli_inspect}, {"recommend", cli_recommend}, {"related", cli_related},
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(command, commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "shelf: unknown command '%s'\n%s", command, usage);
    return 2;
}
