/* engine/ns_common.h: the few basics every module shares -- error codes,
 * branch hints, cache alignment and byte-order loads that never cast packet
 * bytes to structs.  Nothing here allocates or keeps state. */
#ifndef NS_COMMON_H
#define NS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define NS_CACHE_LINE    64
#define NS_CACHE_ALIGNED __attribute__((aligned(NS_CACHE_LINE)))
#define NS_MUST_CHECK    __attribute__((warn_unused_result))
#define NS_ERRBUF_SIZE   512
#define NS_ARRAY_LEN(a)  (sizeof(a) / sizeof((a)[0]))

/* Return codes: NS_OK or a negative value. */
enum ns_err {
    NS_OK = 0,
    NS_ERR_NOMEM = -1,   /* allocation or memory cap */
    NS_ERR_IO = -2,      /* read/write failed, errno in errbuf */
    NS_ERR_INVAL = -3,   /* bad argument or bad input (config, rule, file) */
    NS_ERR_DROP = -4,    /* packet dropped; the reason was counted */
    NS_ERR_FULL = -5,    /* queue or table full */
    NS_ERR_EOF = -6,     /* end of input */
    NS_ERR_UNSUPP = -7,  /* valid but not something we handle */
};

const char *ns_strerror(int err);

static inline uint16_t ns_load_be16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof(v));
    return __builtin_bswap16(v);
}

static inline uint32_t ns_load_be32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return __builtin_bswap32(v);
}

static inline uint16_t ns_load_le16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint32_t ns_load_le32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

#endif
