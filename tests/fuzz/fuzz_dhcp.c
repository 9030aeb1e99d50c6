/* tests/fuzz/fuzz_dhcp.c: libFuzzer target for dhcp_parse and eve_dhcp.
 * The input is one UDP payload (DHCP is per datagram, no stream state);
 * whatever parses is formatted in both record forms and both directions,
 * and must fit a 64 KiB line.  Built and run by `make fuzz` (its --chunks
 * seeds are conversations; raw DHCP payloads make better seeds). */
#include <stdlib.h>

#include "dissect/dhcp.h"
#include "output/eve_dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dhcp_msg m;
    static char rec[64 * 1024];
    enum dhcp_err e = dhcp_parse(data, size, &m);
    if (e >= DHCP_ERR_MAX || !dhcp_err_name(e)[0])
        abort();
    if (!dhcp_err_usable(e))
        return 0;
    struct eve_ctx ec;
    eve_ctx_init(&ec, "fuzz.pcap", NULL);
    ec.ethernet = true;
    struct flow f;
    memset(&f, 0, sizeof(f));
    f.flow_id = 1;
    f.ip_v = 4;
    f.proto = 17;
    f.cli_port = 68;
    f.srv_port = 67;
    f.mac_seen[0] = f.mac_seen[1] = true;
    for (int i = 0; i < 4; i++) {
        bool toserver = i & 1, extended = i & 2;
        (void)eve_dhcp_wanted(&m, extended);
        if (eve_dhcp(&ec, rec, sizeof(rec), &f, toserver, 1, 1, 0, &m, extended) == 0)
            abort();
    }
    return 0;
}
