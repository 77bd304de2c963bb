/* check.c — the names of check severities (check.h). */
#include "pipeline/base/check.h"

const char *sohoa_check_severity_name(enum sohoa_check_severity s)
{
    switch (s) {
    case SOHOA_CHECK_PASS:
        return "pass";
    case SOHOA_CHECK_WARNING:
        return "warning";
    case SOHOA_CHECK_ERROR:
        return "error";
    }
    return "?";
}
