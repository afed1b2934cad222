/* log.c: one line per event, timestamped in UTC, fields as key=value (see log.h). */
#include "relay/core/log.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

int qiao_log_threshold = QIAO_LOG_INFO;
FILE *qiao_log_stream = NULL;

int qiao_log_parse_level(const char *s)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    for (int i = 0; i < 4; i++)
        if (s && strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

void qiao_log_write(int level, const char *subsystem, const char *fmt, ...)
{
    static const char *const tags[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    FILE *out = qiao_log_stream ? qiao_log_stream : stderr;
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(out, "%s.%03ldZ %s %s ", when, ts.tv_nsec / 1000000L,
            tags[level < 0 ? 0 : level > 3 ? 3 : level], subsystem);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
    fflush(out);
}
