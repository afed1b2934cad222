/*
 * dmn_crash.h: a test-only fault-injection hook that makes the notary die like `kill -9` at a
 * named point of the pipeline.
 *
 * Why it exists: a crash "after the signing guard committed but before the signature was made"
 * (and the other windows below) lasts microseconds; killing the process from outside cannot hit
 * it deterministically.  The crash-safety tests set QIAO_TEST_CRASH_AT=<point>[:<n>] in a
 * notary's environment; the n-th time (default 1) the point is reached with work in hand, the
 * process raises SIGKILL on itself (nothing is flushed, no handler runs: exactly kill -9).
 * Without the variable the hook costs one cached getenv.  Operators never set it.
 *
 * Points (docs/OPERATIONS.md): "guard-committed" (tick A committed, nothing signed yet),
 * "signed" (signatures made, tick B not committed), "attested-committed" (tick B committed,
 * nothing gossiped), "deliver-sent" (a deliver transaction left, its receipt not yet seen).
 */
#ifndef QIAO_DAEMON_CRASH_H
#define QIAO_DAEMON_CRASH_H

/** Die with SIGKILL if QIAO_TEST_CRASH_AT names point and its count is reached.  Thread-safe. */
void qiao_dmn_crash_point(const char *point);

#endif
