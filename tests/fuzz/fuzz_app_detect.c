/* tests/fuzz/fuzz_app_detect.c: libFuzzer target for protocol detection
 * (dissect/app_detect.h): every payload of a conversation (the chunk
 * format of tests/fuzz/fuzz_appl.h) goes through app_detect both ways and
 * through the per-flow state, as the engine hands it over (HTTP CONNECT
 * and SOCKS tunnels, STARTTLS included).  The ports come from the input's
 * length, so that the port-hinted probes run too.  Built and run by
 * `make fuzz`. */
#include <stdlib.h>

#include "dissect/app_detect.h"
#include "tests/fuzz/fuzz_appl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t fuzz_ports[] = { 80, 443, 1080, 21, 25, 53, 110, 502, 1883, 3389, 5432, 9999 };
static uint16_t fuzz_sport, fuzz_dport;

static size_t fuzz_detect_feed(void *state, bool toserver, const uint8_t *p, size_t n,
                               unsigned flags, const struct appl_cb *cb)
{
    struct app_state *s = state;
    (void)flags;
    (void)cb;
    /* an exact-size copy, so that a read past the end is caught */
    uint8_t *b = malloc(n ? n : 1);
    if (!b)
        return n;
    memcpy(b, p, n);
    uint16_t sp = toserver ? fuzz_sport : fuzz_dport, dp = toserver ? fuzz_dport : fuzz_sport;
    for (uint8_t ip = 6; ip <= 17; ip += 11) {
        if (app_detect(ip, sp, dp, toserver, b, n) >= APP_MAX)
            abort();
        if (app_detect(ip, sp, dp, !toserver, b, n) >= APP_MAX)
            abort();
    }
    app_state_update(s, 6, sp, dp, toserver, b, n);
    if (s->proto >= APP_MAX || s->ts >= APP_MAX || s->tc >= APP_MAX || s->orig >= APP_MAX ||
        app_state_verdict(s) >= APP_MAX)
        abort();
    (void)app_may_change(s);
    free(b);
    return n;                   /* detection looks at each payload once */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct app_state s;
    memset(&s, 0, sizeof(s));
    fuzz_sport = 40000;
    fuzz_dport = fuzz_ports[size % (sizeof(fuzz_ports) / sizeof(fuzz_ports[0]))];
    fuzz_appl_run(data, size, &s, fuzz_detect_feed, NULL);
    return 0;
}
