/* tests/fuzz/fuzz_report.c: libFuzzer target for `netscope report` below
 * the command line: the EVE line reader (output/evejson.h), the
 * aggregates (output/report.h) and the page.  The input is EVE text (any
 * bytes, any number of lines).  Each line that parses has every string
 * unescaped and every member looked up; then all lines go through
 * report_add_line and the page is written to memory, where no element the
 * input could have injected may appear.  `make fuzz` seeds it from
 * fuzz_report.seeds (one EVE record of each kind per line). */
#include <stdio.h>
#include <stdlib.h>

#include "output/evejson.h"
#include "output/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct evejson_doc *doc;
    if (!doc && !(doc = evejson_create()))
        abort();
    struct report *r = report_create();
    if (!r)
        abort();
    const char *s = (const char *)data;
    size_t pos = 0;
    while (pos <= size) {
        const char *nl = memchr(s + pos, '\n', size - pos);
        size_t n = nl ? (size_t)(nl - (s + pos)) : size - pos;
        /* an exact-size copy, so a read past the line is caught */
        char *line = malloc(n ? n : 1);
        if (!line)
            abort();
        memcpy(line, s + pos, n);
        if (evejson_parse(doc, line, n) == NS_OK) {
            char out[256];
            uint64_t v;
            for (uint32_t t = 0; t < doc->ntok; t++) {
                (void)evejson_str(doc, (int)t, out, sizeof(out));
                (void)evejson_u64(doc, (int)t, &v);
                (void)evejson_index(doc, (int)t, 3);
                (void)evejson_member(doc, (int)t, "a");
            }
            (void)evejson_path(doc, 0, "flow.start");
        } else if (!doc->err || doc->err_off > n) {
            abort();
        }
        report_add_line(r, line, n);
        free(line);
        if (!nl)
            break;
        pos += n + 1;
    }
    char *page = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&page, &len);
    if (!f)
        abort();
    if (report_write_html(r, f, "fuzz") != NS_OK)
        abort();
    fclose(f);
    if (strstr(page, "<script") || strstr(page, "<img") || strstr(page, "<iframe") || len > (1u << 20))
        abort();
    free(page);
    report_destroy(r);
    return 0;
}
