/* log.c — the one log sink (log.h). */
#include "pipeline/base/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pipeline/base/buf.h"
#include "pipeline/base/err.h"

#define LOG_LINE_MAX (1 << 20) /* a longer message is cut (never happens: messages are short) */

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t log_once = PTHREAD_ONCE_INIT;
static atomic_int log_min = -1; /* -1: not yet read from the environment */

int sohoa_log_level_parse(const char *s, enum sohoa_log_level *out)
{
    static const struct {
        const char *name;
        enum sohoa_log_level level;
    } names[] = {
        {"error", SOHOA_LOG_ERROR},
        {"warn", SOHOA_LOG_WARN},
        {"warning", SOHOA_LOG_WARN},
        {"info", SOHOA_LOG_INFO},
    };
    for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(s, names[i].name)) {
            *out = names[i].level;
            return 0;
        }
    return SOHOA_EINVAL;
}

static void read_env(void)
{
    enum sohoa_log_level min = SOHOA_LOG_INFO;
    (void)sohoa_log_level_parse(getenv("SOHOA_LOG_LEVEL"), &min);
    int unset = -1;
    /* a level set by sohoa_log_set_level before the first message wins over the environment */
    (void)atomic_compare_exchange_strong(&log_min, &unset, (int)min);
}

void sohoa_log_set_level(enum sohoa_log_level min)
{
    atomic_store(&log_min, (int)min);
}

static const char *level_name(enum sohoa_log_level level)
{
    switch (level) {
    case SOHOA_LOG_ERROR:
        return "ERROR";
    case SOHOA_LOG_WARN:
        return "WARN";
    default:
        return "INFO";
    }
}

void sohoa_vlog(enum sohoa_log_level level, const char *component, const char *fmt, va_list ap)
{
    if (atomic_load(&log_min) < 0)
        (void)pthread_once(&log_once, read_env);
    if ((int)level > atomic_load(&log_min))
        return;
    size_t nl = strspn(fmt, "\n"); /* they end the caller's progress line, before the prefix */
    char prefix[128];
    if (component && *component)
        (void)snprintf(prefix, sizeof prefix, "%.*ssohoa[%.64s]: %s: ", (int)(nl < 8 ? nl : 8),
                       "\n\n\n\n\n\n\n\n", component, level_name(level));
    else
        (void)snprintf(prefix, sizeof prefix, "%.*ssohoa: %s: ", (int)(nl < 8 ? nl : 8),
                       "\n\n\n\n\n\n\n\n", level_name(level));
    struct sohoa_buf line;
    sohoa_buf_init(&line, LOG_LINE_MAX);
    va_list again;
    va_copy(again, ap);
    (void)sohoa_buf_adds(&line, prefix);
    (void)sohoa_buf_vaddf(&line, fmt + nl, ap);
    if (line.failed) { /* out of memory, or past LOG_LINE_MAX: the message as far as it fits */
        char cut[SOHOA_ERR_MSG_MAX];
        (void)vsnprintf(cut, sizeof cut, fmt + nl, again);
        sohoa_buf_release(&line);
        (void)sohoa_buf_adds(&line, prefix);
        (void)sohoa_buf_adds(&line, cut);
    }
    va_end(again);
    (void)sohoa_buf_addc(&line, '\n');
    pthread_mutex_lock(&log_mu);
    if (!line.failed)
        (void)fwrite(line.data, 1, line.len, stderr);
    else /* not even a few hundred bytes: say that much */
        (void)fputs("sohoa: ERROR: out of memory writing a log line\n", stderr);
    pthread_mutex_unlock(&log_mu);
    sohoa_buf_release(&line);
}

void sohoa_log(enum sohoa_log_level level, const char *component, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sohoa_vlog(level, component, fmt, ap);
    va_end(ap);
}
