/* dissect/applayer.c: what the app-layer parsers share (applayer.h). */
#include "dissect/applayer.h"

#include <string.h>

size_t appl_line_next(const uint8_t *p, size_t n, size_t max, bool *discard,
                      struct appl_line *ln)
{
    memset(ln, 0, sizeof(*ln));
    const uint8_t *lf = n ? memchr(p, '\n', n) : NULL;
    if (!lf) {
        if (*discard)
            return n;
        if (n < max)
            return 0;
        ln->b = p;
        ln->len = max;
        ln->truncated = true;
        *discard = true;            /* up to the LF, wherever it comes */
        return n;
    }
    size_t k = (size_t)(lf - p) + 1;
    if (*discard) {
        *discard = false;
        return k;
    }
    ln->b = p;
    if (k >= max) {                 /* the terminator is not removed then */
        ln->len = max;
        ln->truncated = true;
        return k;
    }
    ln->delim = (k >= 2 && p[k - 2] == '\r') ? 2 : 1;
    ln->len = k - ln->delim;
    return k;
}
