/* tests/fuzz/fuzz_config.c: libFuzzer target for the configuration
 * loader (engine/config.c) through the calls netscope makes: the input up
 * to its first NUL byte is a YAML file, read by config_load from a memfd
 * (its /proc/self/fd path, so the file reading is the real one too); each
 * NUL-separated piece after it is a --set KEY=VALUE for config_set; then
 * config_memory_resolve divides the memory for 1 to 4 workers, offline or
 * live, and config_memory_describe prints the plan.  Every error message
 * must be a terminated string in errbuf.
 *   Seeds: the files in configs/
 * (tests/fuzz/seeds/fuzz_config); dictionary: tests/fuzz/fuzz_config.dict.
 * Built and run by `make fuzz`. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check_err(int rc, const char *errbuf)
{
    if (rc != NS_OK && !memchr(errbuf, '\0', NS_ERRBUF_SIZE))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    static struct ns_config cfg;
    char errbuf[NS_ERRBUF_SIZE];
    if (fd < 0) {
        fd = memfd_create("fuzz_config.yaml", 0);
        if (fd < 0)
            abort();
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    }
    const uint8_t *nul = memchr(data, '\0', size);
    size_t ylen = nul ? (size_t)(nul - data) : size;
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, ylen, 0) != (ssize_t)ylen)
        abort();
    config_defaults(&cfg);
    memset(errbuf, 'x', sizeof(errbuf));
    int rc = config_load(&cfg, path, errbuf);
    fuzz_check_err(rc, errbuf);
    if (rc != NS_OK)
        return 0;
    /* --set pieces, as NUL-terminated strings of their own */
    size_t off = ylen + 1;
    while (off < size) {
        const uint8_t *end = memchr(data + off, '\0', size - off);
        size_t n = end ? (size_t)(end - (data + off)) : size - off;
        char *a = malloc(n + 1);
        if (!a)
            abort();
        memcpy(a, data + off, n);
        a[n] = '\0';
        memset(errbuf, 'x', sizeof(errbuf));
        rc = config_set(&cfg, a, errbuf);
        fuzz_check_err(rc, errbuf);
        free(a);
        if (rc != NS_OK)
            return 0;
        off += n + 1;
    }
    unsigned nw = 1 + (unsigned)(size % 4);
    memset(errbuf, 'x', sizeof(errbuf));
    rc = config_memory_resolve(&cfg, nw, (size / 4) % 2, errbuf);
    fuzz_check_err(rc, errbuf);
    if (rc == NS_OK) {
        char plan[512];
        config_memory_describe(&cfg, plan, sizeof(plan));
        if (!memchr(plan, '\0', sizeof(plan)))
            abort();
    }
    for (const char *s = config_strlist_next(&cfg.rule_files, NULL); s;
         s = config_strlist_next(&cfg.rule_files, s))
        (void)strlen(s);
    (void)config_dns_enabled(&cfg, 6);
    (void)config_dns_enabled(&cfg, 17);
    return 0;
}
