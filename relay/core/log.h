/*
 * log.h: key=value logging for the daemon and CLI (never used by pure verification code).
 *
 * QIAO_LOG(level, subsystem, fmt, ...) checks the level before formatting, so a disabled debug line
 * costs one comparison.  Callers write fields as key=value (chain=7001 msg=0x...) so the lines can
 * be grepped and parsed.  Secrets are never passed to it.
 */
#ifndef QIAO_CORE_LOG_H
#define QIAO_CORE_LOG_H

#include <stdio.h>

enum qiao_log_level { QIAO_LOG_ERROR = 0, QIAO_LOG_WARN, QIAO_LOG_INFO, QIAO_LOG_DEBUG };

/** Current threshold; lines above it are skipped.  Set once at start-up (not thread-safe). */
extern int qiao_log_threshold;
/** Destination; stderr when NULL. */
extern FILE *qiao_log_stream;

/** Parse "error|warn|info|debug"; returns -1 for anything else. */
int qiao_log_parse_level(const char *s);

void qiao_log_write(int level, const char *subsystem, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define QIAO_LOG(level, subsystem, ...)                                                           \
    do {                                                                                           \
        if ((level) <= qiao_log_threshold)                                                         \
            qiao_log_write((level), (subsystem), __VA_ARGS__);                                     \
    } while (0)

#endif
