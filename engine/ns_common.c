/* engine/ns_common.c: text for the shared error codes. */
#include "engine/ns_common.h"

const char *ns_strerror(int err)
{
    switch (err) {
    case NS_OK: return "success";
    case NS_ERR_NOMEM: return "out of memory";
    case NS_ERR_IO: return "input/output error";
    case NS_ERR_INVAL: return "invalid input";
    case NS_ERR_DROP: return "packet dropped";
    case NS_ERR_FULL: return "full";
    case NS_ERR_EOF: return "end of input";
    case NS_ERR_UNSUPP: return "unsupported";
    }
    return "unknown error";
}
