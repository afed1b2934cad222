/* dmn_crash.c: the QIAO_TEST_CRASH_AT fault-injection hook (dmn_crash.h). */
#include "relay/daemon/dmn_crash.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/core/log.h"

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static char g_point[48];
static long g_at = 1;
static atomic_long g_hits;

static void parse(void)
{
    const char *v = getenv("QIAO_TEST_CRASH_AT");
    if (!v || !*v)
        return;
    const char *colon = strchr(v, ':');
    size_t n = colon ? (size_t)(colon - v) : strlen(v);
    if (n >= sizeof(g_point))
        return;
    memcpy(g_point, v, n);
    g_point[n] = 0;
    if (colon)
        g_at = strtol(colon + 1, NULL, 10);
    if (g_at < 1)
        g_at = 1;
}

void qiao_dmn_crash_point(const char *point)
{
    pthread_once(&g_once, parse);
    if (!g_point[0] || strcmp(point, g_point) != 0)
        return;
    if (atomic_fetch_add(&g_hits, 1) + 1 != g_at)
        return;
    QIAO_LOG(QIAO_LOG_ERROR, "daemon", "test-crash point=%s (QIAO_TEST_CRASH_AT)", point);
    raise(SIGKILL);
}
