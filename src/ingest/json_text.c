#include "json_text.h"

#include <math.h>
#include <stdio.h>

/* An id given as a JSON number: its decimal text, when that text is exact (a double
 * holds every integer up to 2^53, and nothing beyond reliably). */
static int integer_text(const cJSON *number, char *out, size_t size) {
    double v = number->valuedouble;
    if (!isfinite(v) || v != floor(v) || fabs(v) > 9007199254740992.0) return 0;
    snprintf(out, size, "%.0f", v == 0 ? 0.0 : v);
    return 1;
}

int shelf__json_text(const cJSON *member, const char *name, char *number_buffer, size_t number_size,
                     const char **text, char *problem, size_t problem_size) {
    if (cJSON_IsString(member) && member->valuestring) {
        *text = member->valuestring;
        return 1;
    }
    if (cJSON_IsNumber(member) && integer_text(member, number_buffer, number_size)) {
        *text = number_buffer;
        return 1;
    }
    snprintf(problem, problem_size, "\"%s\" must be a string or an integer below 2^53", name);
    return 0;
}
