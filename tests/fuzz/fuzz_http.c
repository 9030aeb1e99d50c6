/* tests/fuzz/fuzz_http.c: libFuzzer target for the HTTP/1.x header-block
 * parser.  The input is one TCP payload; every header the parser reports
 * must lie inside it, and looking a few names up must not read past it.
 * Built and run by `make fuzz`. */
#include <stdlib.h>

#include "dissect/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_msg m;
    (void)http_is_request_start(data, size);
    (void)http_is_response_start(data, size);
    if (http_parse(data, size, &m) != HTTP_ERR_OK)
        return 0;
    static const char *const names[] = { "host", "user-agent", "content-length", "location" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        (void)http_header(&m, data, names[i]);
    return 0;
}
