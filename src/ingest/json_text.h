/* Ids in JSON input (catalogs, GA4 and Segment exports): a string, or an integer
 * given as a JSON number, which becomes its decimal text. */
#ifndef SHELF_JSON_TEXT_H
#define SHELF_JSON_TEXT_H

#include <stddef.h>

#include "cJSON.h"

/* The text of a string or integer member: *text points into the member or into
 * number_buffer. 0 with `problem` set ("\"name\" must be ...") otherwise. */
int shelf__json_text(const cJSON *member, const char *name, char *number_buffer, size_t number_size,
                     const char **text, char *problem, size_t problem_size);

#endif
