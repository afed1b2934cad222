/*
 * qt.h: the test harness every Qiao test binary uses.
 *
 * QT_CHECK counts one check; qt_finish prints the closing line "N passed, N failed[, N skipped]"
 * that CI reads and returns the exit status.  Vector files live in ../shared/vectors; when that
 * directory is absent (a user's clone), qt_vector_path prints why and counts a skip, and the
 * caller skips only those cases.
 */
#ifndef QIAO_TEST_QT_H
#define QIAO_TEST_QT_H

#include <stddef.h>
#include <stdint.h>

extern int qt_passed, qt_failed, qt_skipped;

void qt_check(int ok, const char *file, int line, const char *expr, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#define QT_CHECK(cond) qt_check(!!(cond), __FILE__, __LINE__, #cond, NULL)
#define QT_CHECKF(cond, ...) qt_check(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)
/** Compare byte strings and print both in hex on mismatch. */
#define QT_CHECK_MEM(a, b, n) qt_check_mem((a), (b), (n), __FILE__, __LINE__, #a " == " #b)
void qt_check_mem(const void *a, const void *b, size_t n, const char *file, int line,
                  const char *expr);

/** Record a skipped group with its reason (printed). */
void qt_skip(const char *what, const char *why);

/**
 * Full path of a file under the shared vectors directory (QIAO_VECTORS or the build's default), or
 * NULL after printing a clear skip message when the directory or file is absent.  Static buffer.
 */
const char *qt_vector_path(const char *relative);

/** Read a whole file into a NUL-terminated malloc'd buffer (NULL on failure). */
char *qt_read_file(const char *path, size_t *len);

/** Print the closing line; returns the process exit status. */
int qt_finish(void);

#endif
