/* test_file.c: whole-file reads: contents and terminator, the cap at and past its edge, a missing
 * file, appending after existing bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relay/core/file.h"
#include "tests/qt.h"

int main(void)
{
    char path[] = "/tmp/qiao-file-XXXXXX";
    int fd = mkstemp(path);
    QT_CHECK(fd >= 0);
    static char data[40000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (char)('a' + i % 26);
    QT_CHECK(write(fd, data, sizeof(data)) == (ssize_t)sizeof(data));
    close(fd);
    struct qiao_buf b = {0};
    struct qiao_diag d = {0};
    QT_CHECK(qiao_file_read(&b, path, sizeof(data), &d) == QIAO_OK);
    QT_CHECK(b.len == sizeof(data) && memcmp(b.p, data, sizeof(data)) == 0 && b.p[b.len] == 0);
    b.len = 0;
    QT_CHECK(qiao_file_read(&b, path, sizeof(data) - 1, &d) == QIAO_ERANGE);
    QT_CHECK(strcmp(d.reason, "too-large") == 0 && strstr(d.msg, path));
    qiao_buf_clear(&b);
    qiao_buf_append(&b, "x", 1, NULL);
    QT_CHECK(qiao_file_read(&b, path, sizeof(data), &d) == QIAO_OK && b.len == sizeof(data) + 1);
    QT_CHECK(b.p[0] == 'x' && b.p[1] == 'a');
    qiao_buf_clear(&b);
    unlink(path);
    QT_CHECK(qiao_file_read(&b, path, 100, &d) == QIAO_EIO);
    QT_CHECK(strcmp(d.reason, "cannot-open") == 0);
    qiao_buf_clear(&b);
    return qt_finish();
}
