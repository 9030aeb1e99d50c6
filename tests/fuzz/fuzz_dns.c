/* tests/fuzz/fuzz_dns.c: libFuzzer target for dns_parse and eve_dns.  The
 * input is one DNS message; what parses is also formatted as a record, so
 * every name and rdata path through the EVE writer is exercised.
 * Built by make fuzz (build/fuzz/fuzz_dns) and run by tests/fuzz/run.sh.
 */
#include <stdlib.h>

#include "dissect/dns.h"
#include "output/eve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dns_msg m;
    static char text[DNS_SCRATCH_SIZE];
    static char rec[64 * 1024];
    if (dns_parse(data, size, &m, text, sizeof(text)) != DNS_ERR_OK)
        return 0;
    struct eve_ctx ec;
    eve_ctx_init(&ec, "fuzz.pcap", NULL);
    struct flow f;
    memset(&f, 0, sizeof(f));
    f.flow_id = 1;
    f.ip_v = 4;
    f.proto = 17;
    struct ns_decoded d;
    memset(&d, 0, sizeof(d));
    d.ip_v = 4;
    d.proto = 17;
    struct ns_pkt pkt = { .ts_us = 1, .pcap_cnt = 1 };
    (void)eve_dns(&ec, rec, sizeof(rec), &pkt, &d, &f, &m, text, 0);
    return 0;
}
