/*
 * tw_status.c — status messages and the version string, from the one
 * X-macro list in tawam.h, so the enum and the messages cannot drift apart.
 */
#include "tawam.h"

const char *tw_strerror(int status)
{
    switch (status) {
    case TW_OK:
        return "success";
#define TW__MSG(name, value, msg) \
    case TW_##name:               \
        return msg;
        TW_ERRNO_MAP(TW__MSG)
#undef TW__MSG
    default:
        return "unknown error";
    }
}

const char *tw_version(void)
{
    return TW_VERSION_STRING;
}
