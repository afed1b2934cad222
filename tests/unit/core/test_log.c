/* test_log.c: QIAO_LOG level parsing, threshold (no formatting when disabled) and line shape. */
#include <stdio.h>
#include <string.h>

#include "relay/core/log.h"
#include "tests/qt.h"

static int formatted;

static const char *count_format(void)
{
    formatted++;
    return "x";
}

int main(void)
{
    QT_CHECK(qiao_log_parse_level("debug") == QIAO_LOG_DEBUG);
    QT_CHECK(qiao_log_parse_level("error") == QIAO_LOG_ERROR);
    QT_CHECK(qiao_log_parse_level("DEBUG") == -1);
    QT_CHECK(qiao_log_parse_level(NULL) == -1);
    char buf[512] = {0};
    FILE *mem = fmemopen(buf, sizeof(buf) - 1, "w");
    QT_CHECK(mem != NULL);
    qiao_log_stream = mem;
    qiao_log_threshold = QIAO_LOG_INFO;
    QIAO_LOG(QIAO_LOG_DEBUG, "test", "v=%s", count_format());
    QT_CHECKF(formatted == 0, "arguments were evaluated for a disabled level");
    QIAO_LOG(QIAO_LOG_WARN, "relay", "chain=%d msg=%s", 7001, "0xab");
    fflush(mem);
    QT_CHECK(strstr(buf, " WARN relay chain=7001 msg=0xab\n") != NULL);
    QT_CHECK(buf[4] == '-' && strchr(buf, 'Z') != NULL); /* UTC timestamp first */
    fclose(mem);
    qiao_log_stream = NULL;
    return qt_finish();
}
