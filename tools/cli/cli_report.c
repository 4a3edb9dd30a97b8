/* `shelf eval --report FILE.html`: one self-contained page (inline SVG and CSS, no
 * script, nothing fetched) that shows what each part of a model earns: HR@K and
 * MRR@K for K up to CLI_REPORT_K for each scorer alone and the blend, HR@20 against
 * the bytes each needs, and the histogram of recommend()'s latency. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define WIDTH 560
#define HEIGHT 300
#define LEFT 56
#define RIGHT 16
#define TOP 16
#define BOTTOM 40
#define LATENCY_BINS 24

static const char *const colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                                      "#111111"};

void cli_figures_free(cli_figures *f) {
    free(f->at_rank);
    free(f->latency_us);
    f->at_rank = NULL;
    f->latency_us = NULL;
}

/* The section a scorer reads beside the ids and popularity every model has. */
static const char *scorer_section(uint32_t scorer) {
    switch (scorer) {
    case SHELF_SCORER_COVISIT: return "covisit";
    case SHELF_SCORER_SEQUENTIAL: return "sequential";
    case SHELF_SCORER_EMBEDDING: return "embeddings";
    default: return NULL;
    }
}

static uint64_t section_bytes(const shelf_model *model, const char *name) {
    for (uint32_t s = 0; s < shelf_model_section_count(model); s++) {
        shelf_section_info info;
        if (shelf_model_section(model, s, &info) == SHELF_OK && strcmp(info.name, name) == 0) return info.length;
    }
    return 0;
}

int cli_model_has_scorer(const shelf_model *model, uint32_t scorer) {
    const char *section = scorer_section(scorer);
    return !section || section_bytes(model, section) > 0;
}

/* The bytes a series needs: the blend the whole file, a scorer the ids, the
 * popularity and its own section. */
static uint64_t bytes_needed(const shelf_model *model, const cli_figures *f) {
    uint64_t all = 0;
    for (uint32_t s = 0; s < shelf_model_section_count(model); s++) {
        shelf_section_info info;
        if (shelf_model_section(model, s, &info) == SHELF_OK) all += info.length;
    }
    if (f->scorers == SHELF_SCORER_ALL) return all;
    uint64_t base = section_bytes(model, "item_ids") + section_bytes(model, "popularity") + section_bytes(model, "metadata");
    const char *own = scorer_section(f->scorers);
    return base + (own ? section_bytes(model, own) : 0);
}

/* HR@K and MRR@K in percent from the counts of labels at each rank. */
static double hr_at(const cli_figures *f, uint32_t k) {
    uint64_t hits = 0;
    for (uint32_t r = 0; r < k && r < f->k; r++) hits += f->at_rank[r];
    return 100.0 * (double)hits / (double)f->cases;
}

static double mrr_at(const cli_figures *f, uint32_t k) {
    double sum = 0;
    for (uint32_t r = 0; r < k && r < f->k; r++) sum += (double)f->at_rank[r] / (r + 1);
    return 100.0 * sum / (double)f->cases;
}

static double ndcg_at(const cli_figures *f, uint32_t k) {
    double sum = 0;
    for (uint32_t r = 0; r < k && r < f->k; r++) sum += (double)f->at_rank[r] / log2(r + 2.0);
    return 100.0 * sum / (double)f->cases;
}

/* A step on a readable axis: 1, 2 or 5 times a power of ten, about `ticks` ticks. */
static double nice_step(double span, int ticks) {
    double raw = span / ticks, power = pow(10, floor(log10(raw > 0 ? raw : 1)));
    double unit = raw / power;
    return power * (unit < 1.5 ? 1 : unit < 3.5 ? 2 : unit < 7.5 ? 5 : 10);
}

static void escape(FILE *f, const char *text) {
    for (; *text; text++) {
        if (*text == '<') fputs("&lt;", f);
        else if (*text == '>') fputs("&gt;", f);
        else if (*text == '&') fputs("&amp;", f);
        else if (*text == '"') fputs("&quot;", f);
        else fputc(*text, f);
    }
}

/* The frame of a chart: axes, ticks and labels, for x in [0, x_max], y in [0, y_max]. */
/* x on a log scale when x_min > 0 (from x_min to x_max, powers of ten labelled as bytes). */
static void frame(FILE *f, const char *id, const char *title, const char *x_label, const char *y_label, double x_min,
                  double x_max, double y_max) {
    fprintf(f, "<figure><figcaption>%s</figcaption>\n<svg id=\"%s\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n",
            title, id, WIDTH, HEIGHT, title);
    const int w = WIDTH - LEFT - RIGHT, h = HEIGHT - TOP - BOTTOM;
    fprintf(f, "<g class=\"axis\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
            LEFT, TOP + h, LEFT + w, TOP + h, LEFT, TOP, LEFT, TOP + h);
    double step = nice_step(y_max, 5);
    for (double y = 0; y <= y_max * 1.0001; y += step) {
        double py = TOP + h - y / y_max * h;
        fprintf(f, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/><text x=\"%d\" y=\"%.1f\" "
                   "text-anchor=\"end\">%g</text>\n", LEFT, py, LEFT + w, py, LEFT - 6, py + 4, y);
    }
    if (x_min > 0) {
        static const char *const units[] = {"B", "kB", "MB", "GB"};
        for (double x = x_min; x <= x_max * 1.0001; x *= 10) {
            double px = LEFT + log10(x / x_min) / log10(x_max / x_min) * w;
            int unit = 0;
            double v = x;
            while (v >= 1000 && unit < 3) v /= 1000, unit++;
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g %s</text>\n", px, TOP + h + 16, v, units[unit]);
        }
    } else {
        double xs = nice_step(x_max, 6);
        for (double x = 0; x <= x_max * 1.0001; x += xs)
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n", LEFT + x / x_max * w, TOP + h + 16, x);
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", LEFT + w / 2, HEIGHT - 4, x_label);
    fprintf(f, "<text transform=\"rotate(-90)\" x=\"%d\" y=\"14\" text-anchor=\"middle\">%s</text></g>\n",
            -(TOP + h / 2), y_label);
}

/* One curve per series of metric(K) for K = 1..CLI_REPORT_K. */
static void curves(FILE *f, const char *id, const char *title, const char *y_label, double (*metric)(const cli_figures *, uint32_t),
                   const char *const *names, const cli_figures *series, uint32_t count) {
    double y_max = 1;
    for (uint32_t i = 0; i < count; i++) y_max = fmax(y_max, metric(&series[i], CLI_REPORT_K));
    y_max = ceil(y_max / nice_step(y_max, 5)) * nice_step(y_max, 5);
    frame(f, id, title, "K (the length of the list)", y_label, 0, CLI_REPORT_K, y_max);
    const int w = WIDTH - LEFT - RIGHT, h = HEIGHT - TOP - BOTTOM;
    for (uint32_t i = 0; i < count; i++) {
        fprintf(f, "<polyline class=\"series\" data-series=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
                names[i], colours[i % 8]);
        for (uint32_t k = 1; k <= CLI_REPORT_K; k++)
            fprintf(f, "%.1f,%.1f ", LEFT + (double)k / CLI_REPORT_K * w, TOP + h - metric(&series[i], k) / y_max * h);
        fputs("\"/>\n", f);
    }
    fputs("</svg></figure>\n", f);
}

int cli_write_report(const char *path, const char *model_path, const char *test_path, const shelf_model *model,
                     const char *const *names, const cli_figures *series, uint32_t count) {
    /* Written beside the target and renamed over it once whole. */
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) return cli_error("%s: the path is too long", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return cli_error("%s: cannot write", tmp);
    const cli_figures *blend = &series[count - 1];
    fputs("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Shelf evaluation: ", f);
    escape(f, shelf_model_name(model));
    fputs("</title>\n<style>\n"
          "body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1180px; padding: 0 16px; color: #1d1d1f; }\n"
          "table { border-collapse: collapse; margin: 12px 0 24px; } td, th { padding: 4px 10px; text-align: right; }\n"
          "th:first-child, td:first-child { text-align: left; } tr + tr td { border-top: 1px solid #e5e5ea; }\n"
          ".charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 520px), 1fr)); gap: 16px; }\n"
          "figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: 4px; } svg { width: 100%; height: auto; }\n"
          "svg text { font-size: 11px; fill: #3a3a3c; } .axis line { stroke: #8e8e93; } line.grid { stroke: #e5e5ea; }\n"
          ".swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 2px; }\n"
          "</style></head><body>\n<h1>", f);
    escape(f, shelf_model_name(model));
    fputs("</h1>\n<p>", f);
    fprintf(f, "Model <code>");
    escape(f, model_path);
    fprintf(f, "</code> (%u items), test <code>", shelf_model_item_count(model));
    escape(f, test_path);
    fprintf(f, "</code>: %llu cases, each prefix's next item ranked among all items by recommend(), as in the "
               "browser. Made by <code>shelf eval --report</code> (Shelf %s).</p>\n",
            (unsigned long long)blend->cases, shelf_version_string());

    fputs("<table id=\"figures\"><tr><th>scorers</th><th>HR@20</th><th>MRR@20</th><th>NDCG@20</th>"
          "<th>bytes needed</th><th>p50 µs</th><th>p99 µs</th></tr>\n", f);
    for (uint32_t i = 0; i < count; i++) {
        fprintf(f, "<tr data-series=\"%s\"><td><span class=\"swatch\" style=\"background:%s\"></span>%s</td>"
                   "<td class=\"hr20\">%.2f</td><td class=\"mrr20\">%.2f</td><td>%.2f</td><td>%llu</td><td>%.1f</td><td>%.1f</td></tr>\n",
                names[i], colours[i % 8], i == count - 1 ? "blend (the model)" : names[i], hr_at(&series[i], 20),
                mrr_at(&series[i], 20), ndcg_at(&series[i], 20), (unsigned long long)bytes_needed(model, &series[i]),
                series[i].p50, series[i].p99);
    }
    fputs("</table>\n<div class=\"charts\">\n", f);
    curves(f, "hr", "HR@K: the next item is among the first K", "HR@K (%)", hr_at, names, series, count);
    curves(f, "mrr", "MRR@K: how high it is, on average", "MRR@K (%)", mrr_at, names, series, count);

    /* HR@20 against the bytes each needs, bytes on a log scale. */
    double x_min = INFINITY, x_max = 1, y_max = 1;
    for (uint32_t i = 0; i < count; i++) {
        double bytes = fmax(1, (double)bytes_needed(model, &series[i]));
        x_min = fmin(x_min, bytes);
        x_max = fmax(x_max, bytes);
        y_max = fmax(y_max, hr_at(&series[i], 20));
    }
    x_min = pow(10, floor(log10(x_min)));
    x_max = fmax(pow(10, ceil(log10(x_max))), x_min * 10);
    y_max = ceil(y_max / nice_step(y_max, 5)) * nice_step(y_max, 5);
    frame(f, "size", "HR@20 against the bytes each part needs", "bytes (log scale)", "HR@20 (%)", x_min, x_max, y_max);
    const int w = WIDTH - LEFT - RIGHT, h = HEIGHT - TOP - BOTTOM;
    for (uint32_t i = 0; i < count; i++) {
        double bytes = fmax(1, (double)bytes_needed(model, &series[i]));
        double px = LEFT + log10(bytes / x_min) / log10(x_max / x_min) * w, py = TOP + h - hr_at(&series[i], 20) / y_max * h;
        fprintf(f, "<circle class=\"series\" data-series=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", names[i], px, py, colours[i % 8], px + 8, py - 6, names[i]);
    }
    fputs("</svg></figure>\n", f);

    /* The blend's latency: a histogram up to its p99 and a little more. */
    double top = blend->latency_count ? blend->latency_us[(size_t)((blend->latency_count - 1) * 0.99)] * 1.25 : 1;
    uint64_t bins[LATENCY_BINS] = {0}, peak = 1;
    for (size_t i = 0; i < blend->latency_count; i++) {
        size_t b = (size_t)(blend->latency_us[i] / top * LATENCY_BINS);
        bins[b < LATENCY_BINS ? b : LATENCY_BINS - 1]++;
    }
    for (int b = 0; b < LATENCY_BINS; b++) peak = bins[b] > peak ? bins[b] : peak;
    frame(f, "latency", "recommend() latency of the blend (the last bar: all slower)", "microseconds", "calls", 0,
          top, (double)peak * 1.1);
    for (int b = 0; b < LATENCY_BINS; b++) {
        double bw = (double)w / LATENCY_BINS, bh = (double)bins[b] / ((double)peak * 1.1) * h;
        fprintf(f, "<rect class=\"bar\" data-calls=\"%llu\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#1f77b4\"/>\n",
                (unsigned long long)bins[b], LEFT + b * bw + 1, TOP + h - bh, bw - 2, bh);
    }
    fputs("</svg></figure>\n</div>\n</body></html>\n", f);
    if (ferror(f) | (fclose(f) != 0) || rename(tmp, path) != 0) {
        remove(tmp);
        return cli_error("%s: cannot write", path);
    }
    return 0;
}
